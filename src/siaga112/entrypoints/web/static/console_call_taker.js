/* The call-taker console: the position, the call at it (or the waiting web calls to take),
   the caller's history and location, the disposition by one key, and the incident with its
   triage, duplicates, place, notes, verification and hand-over to dispatch.
   Everything is read from the API; a live message (static/live.js) says what to re-read,
   and while the live channel is down the console polls. Keys: see the "Keys" box. */
(function () {
  "use strict";
  var _ = Siaga._, el = Siaga.element;
  var page = Siaga.data("siaga-page");
  var skew = page.serverNow - Date.now();
  var POLL_MS = 3000, STORE = "siaga112.callTaker";

  /* --- words ------------------------------------------------------------------------------ */
  var POSITION_STATE = {
    logged_out: _("Logged out"), ready: _("Ready"), not_ready: _("Not ready"),
    ringing: _("Ringing"), on_call: _("On call"), wrap_up: _("Wrap-up")
  };
  var REASON = {
    logged_in: _("just logged in"), no_answer: _("a call rang out"),
    unreachable: _("the phone could not be reached"), "break": _("Break"),
    briefing: _("Briefing or meeting"), training: _("Training"),
    callbacks: _("Calling callers back"), paperwork: _("Paperwork"), other: _("Other")
  };
  var CALL_STATE = {
    received: _("Received"), screening: _("Screening"), queued: _("Waiting"),
    offered: _("Ringing"), connected: _("Connected"), released: _("Ended"),
    abandoned: _("Caller gave up"), interrupted: _("Cut off")
  };
  var DISPOSITION = {
    emergency: _("Emergency"), non_emergency: _("Not an emergency"), prank: _("Prank"),
    silent: _("Silent call"), hang_up: _("Hung up at once"), wrong_number: _("Wrong number"),
    test: _("Test call")
  };
  var CHANNEL = {voice: _("Voice"), sms: _("SMS"), aml: _("AML"), web: _("Web")};
  var SOURCE = {
    network: _("Network"), aml: _("Handset (AML)"), manual: _("Placed by the call-taker"),
    link: _("Shared by the caller")
  };
  var FLAG = {
    repeat_nuisance: _("Pranks or silent calls from this number lately"),
    repeat_caller: _("Called several times within the hour"),
    recent_emergency: _("Reported an emergency in the last 24 hours"),
    active_incident: _("An earlier call is linked to an open incident"),
    gave_up_waiting: _("Gave up waiting within the last hour")
  };
  var INCIDENT_STATUS = {
    "new": _("New"), verified: _("Verified"), dispatched: _("Units dispatched"),
    on_scene: _("On scene"), resolved: _("Resolved"), closed: _("Closed"),
    cancelled: _("Cancelled"), false_alarm: _("False alarm")
  };
  var METHOD = {
    caller_confirmed: _("Confirmed by the caller"), callback: _("Called the caller back"),
    second_caller: _("Confirmed by a second caller"), cctv: _("Seen on CCTV"),
    agency_on_scene: _("An agency is on scene")
  };
  var KEY_DISPOSITION = {"1": "emergency", "2": "non_emergency", "3": "prank", "4": "silent",
                         "5": "hang_up", "6": "wrong_number", "7": "test"};
  var ENDS_THE_CALL = {prank: 1, silent: 1, hang_up: 1, wrong_number: 1, test: 1};
  var types = {};
  page.incidentTypes.forEach(function (t) { types[t.code] = t; });

  function label(table, code) { return table[code] || code || ""; }
  function $(id) { return document.getElementById(id); }
  function now() { return Date.now() + skew; }
  function time(iso, seconds) {
    return iso ? Siaga.formatTime(new Date(iso), page.zone, page.zoneAbbreviation, seconds) : "";
  }
  function duration(seconds) {
    if (seconds === null || seconds === undefined || isNaN(seconds)) return "";
    var s = Math.max(0, Math.floor(seconds)), m = Math.floor(s / 60);
    return m + ":" + (s % 60 < 10 ? "0" : "") + (s % 60);
  }
  function since(iso) { return iso ? (now() - Date.parse(iso)) / 1000 : null; }

  /* --- talking to the API ------------------------------------------------------------------ */
  var messageBox = $("ct-message");
  function showError(text) {
    messageBox.textContent = text || "";
    messageBox.hidden = !text;
  }

  /* A change; its refusal is shown in the user's language, the API's message beneath. */
  function send(method, url, body) {
    return Siaga.api(method, url, body).then(function (response) {
      if (response.ok) { showError(""); return response.json(); }
      return response.json().catch(function () { return {}; }).then(function (answer) {
        var detail = answer && answer.error ? answer.error.message : "";
        var text = response.status === 409 ? _("Not possible now: the call or position has changed.")
          : response.status === 403 ? _("You may not do this.")
          : response.status === 404 ? _("Not found: it may have ended or been taken by someone else.")
          : _("The change was refused.");
        showError(detail ? text + " (" + detail + ")" : text);
        var error = new Error(text);
        error.status = response.status;
        throw error;
      });
    });
  }
  function load(url) {
    return Siaga.getJSON(url).catch(function (err) { showError(err.message); throw err; });
  }

  /* --- what the console knows ---------------------------------------------------------------- */
  var state = {
    positions: [], position: null, waiting: [], desk: [],
    call: null, history: null, trail: null, words: null,
    incident: null, duplicates: [], location: null, done: false, ending: false
  };
  var stored = {};
  try { stored = JSON.parse(window.sessionStorage.getItem(STORE) || "{}"); } catch (e) { stored = {}; }
  function remember() {
    try {
      window.sessionStorage.setItem(STORE, JSON.stringify({
        call: state.call ? state.call.id : null,
        incident: state.incident ? state.incident.id : null
      }));
    } catch (e) { /* private mode: the console still works, without resuming */ }
  }

  function callIsLive(call) { return call && (call.state === "connected" || call.state === "offered"); }
  function answered(call) { return call && call.connected_at !== null; }

  /* --- the clock and timers ------------------------------------------------------------------ */
  var clock = $("clock");
  function tick() {
    clock.textContent = Siaga.formatTime(new Date(now()), page.zone, page.zoneAbbreviation, true);
    drawTimers();
  }

  function drawTimers() {
    var p = state.position;
    $("position-timer").textContent = "";
    if (p) {
      var elapsed = since(p.state_since);
      if (p.state === "wrap_up") {
        var left = page.wrapUpSeconds - elapsed;
        $("position-timer").textContent = duration(Math.max(0, left));
        if (left <= -(p._phone ? 3 : 0.5) && !state.ending) endWrapUp();
      } else if (elapsed !== null) {
        $("position-timer").textContent = duration(elapsed);
      }
    }
    var call = state.call;
    if (call) {
      var from = call.connected_at || call.received_at;
      var to = call.ended_at ? Date.parse(call.ended_at) : now();
      $("call-timer").textContent = duration((to - Date.parse(from)) / 1000);
    }
    state.waiting.forEach(function (w, i) {
      var node = document.querySelector("#queue li[data-index=\"" + i + "\"] .ct-timer");
      if (node) node.textContent = duration(since(w.received_at));
    });
  }

  /* --- the map --------------------------------------------------------------------------------- */
  var map = L.map("map", {zoomControl: false, center: page.mapCenter, zoom: page.mapZoom});
  L.control.zoom({zoomInTitle: _("Zoom in"), zoomOutTitle: _("Zoom out")}).addTo(map);
  L.control.scale({imperial: false}).addTo(map);
  map.attributionControl.setPrefix("Leaflet");
  if (page.tileUrl) L.tileLayer(page.tileUrl, {maxZoom: 19}).addTo(map);
  var layers = {
    kelurahan: L.layerGroup().addTo(map), fixes: L.layerGroup().addTo(map),
    incidents: L.layerGroup().addTo(map), place: L.layerGroup().addTo(map)
  };
  function dot(classes, size) {
    return L.divIcon({className: "siaga-marker " + classes, iconSize: [size, size],
                      iconAnchor: [size / 2, size / 2], html: ""});
  }
  Siaga.getJSON("/api/v1/center").then(function (center) {
    center.gazetteer.kelurahan.forEach(function (k) {
      L.marker([k.lat, k.lon], {icon: dot("siaga-marker--kelurahan", 8), title: k.name,
                                keyboard: false}).addTo(layers.kelurahan);
    });
  }, function () { /* the kelurahan are a backdrop: the console works without them */ });

  function drawMap() {
    layers.fixes.clearLayers();
    layers.incidents.clearLayers();
    layers.place.clearLayers();
    var bounds = [];
    (state.trail ? state.trail.fixes : []).forEach(function (f) {
      var chosen = f.chosen, color = chosen ? "#c62828" : "#1565c0";
      if (f.radius_m) {
        L.circle([f.lat, f.lon], {radius: f.radius_m, color: color, weight: chosen ? 2 : 1,
                                  fillOpacity: 0.12, interactive: false}).addTo(layers.fixes);
      }
      L.marker([f.lat, f.lon], {icon: dot("siaga-fix" + (chosen ? " siaga-fix--chosen" : ""), 14),
                                title: label(SOURCE, f.source), keyboard: false})
        .addTo(layers.fixes);
      bounds.push([f.lat, f.lon]);
    });
    state.duplicates.forEach(function (d) {
      if (d.location.lat === null) return;
      L.marker([d.location.lat, d.location.lon], {
        icon: dot("siaga-marker--incident siaga-priority--" + d.priority, 22),
        title: d.number, keyboard: false}).addTo(layers.incidents);
      bounds.push([d.location.lat, d.location.lon]);
    });
    if (state.location && state.location.lat !== null) {
      L.marker([state.location.lat, state.location.lon], {
        icon: dot("siaga-marker--incident siaga-priority--" + currentPriority(), 22),
        title: _("Incident place"), keyboard: false, zIndexOffset: 1000}).addTo(layers.place);
      bounds.push([state.location.lat, state.location.lon]);
    }
    map.invalidateSize();  /* the panels above the map come and go */
    if (bounds.length) map.fitBounds(bounds, {maxZoom: 16, padding: [40, 40]});
  }

  map.on("click", function (event) {
    if (!state.call || !answered(state.call)) return;
    placeFix({lat: round(event.latlng.lat), lon: round(event.latlng.lng), choose: true});
  });
  function round(x) { return Math.round(x * 1e6) / 1e6; }

  /* --- the position ------------------------------------------------------------------------ */
  function drawPosition() {
    var p = state.position;
    $("position-login").hidden = !!p;
    $("position-on").hidden = !p;
    if (!p) {
      var select = $("position-select"), chosen = select.value;
      select.replaceChildren();
      state.positions.forEach(function (q) {
        var option = el("option", null, q.name + (q.operator ? " (" + q.operator + ")" : ""));
        option.value = q.code;
        option.disabled = !!q.operator;
        select.appendChild(option);
      });
      var free = state.positions.filter(function (q) { return !q.operator; });
      if (chosen && free.some(function (q) { return q.code === chosen; })) select.value = chosen;
      else if (free.length) select.value = free[0].code;
      return;
    }
    $("position-state").dataset.state = p.state;
    $("position-state-text").textContent = label(POSITION_STATE, p.state);
    $("position-name").textContent = p.name;
    $("position-reason").textContent = p.state === "not_ready" && p.not_ready_reason
      ? "· " + label(REASON, p.not_ready_reason) : "";
    $("btn-ready").disabled = !(p.state === "not_ready" || p.state === "wrap_up");
    $("btn-not-ready").disabled = !(p.state === "ready" || p.state === "wrap_up");
    $("btn-position-logout").disabled = !(p.state === "ready" || p.state === "not_ready" ||
                                          p.state === "wrap_up");
    drawTimers();
  }

  function positionUrl(action) { return "/api/v1/positions/" + encodeURIComponent(state.position.code) + "/" + action; }

  function setReady() {
    if (!state.position) return Promise.resolve();
    return send("POST", positionUrl("ready")).then(refreshSoon, function () { refreshSoon(); });
  }
  function endWrapUp() {
    state.ending = true;
    loadPositions().then(function () {
      if (state.position && state.position.state === "wrap_up") return setReady();
    }).then(function () { state.ending = false; }, function () { state.ending = false; });
  }
  function askNotReady() {
    if (!state.position || $("btn-not-ready").disabled) return;
    $("not-ready-form").hidden = false;
    $("not-ready-reason").focus();
  }
  $("btn-ready").addEventListener("click", setReady);
  $("btn-not-ready").addEventListener("click", askNotReady);
  $("not-ready-form").addEventListener("submit", function (event) {
    event.preventDefault();
    send("POST", positionUrl("not-ready"), {reason: $("not-ready-reason").value}).then(function () {
      $("not-ready-form").hidden = true;
      document.activeElement.blur();
      refreshSoon();
    }, function () {});
  });
  $("not-ready-reason").addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault();
      $("not-ready-form").requestSubmit();
    }
  });
  $("position-login").addEventListener("submit", function (event) {
    event.preventDefault();
    var code = $("position-select").value;
    if (!code) return;
    send("POST", "/api/v1/positions/" + encodeURIComponent(code) + "/login", {})
      .then(refreshSoon, function () { refreshSoon(); });
  });
  $("btn-position-logout").addEventListener("click", function () {
    send("POST", positionUrl("logout")).then(function () {
      state.position = null;
      refreshSoon();
    }, function () {});
  });

  /* --- waiting calls and the call ringing here ------------------------------------------------ */
  function ringingPhone() {
    return state.desk.filter(function (c) { return c.state === "offered"; })[0] || null;
  }

  function canTake() {
    return state.position && state.position.state === "ready" && state.waiting.length > 0 &&
      !callIsLive(state.call);
  }

  function drawQueue() {
    $("queue-count").textContent = String(state.waiting.length);
    var list = $("queue");
    list.replaceChildren();
    state.waiting.forEach(function (w, i) {
      var item = el("li");
      item.dataset.index = String(i);
      item.dataset.callId = w.id;
      item.appendChild(el("span", "num", w.withheld ? _("Number withheld") : w.caller_number));
      item.appendChild(el("span", "muted", label(CHANNEL, w.channel)));
      item.appendChild(el("span", "ct-timer"));
      list.appendChild(item);
    });
    $("queue-empty").hidden = state.waiting.length > 0;
    var offer = $("offer"), phone = ringingPhone();
    if (phone) {
      offer.hidden = false;
      $("offer-title").textContent = _("Your phone is ringing");
      $("offer-number").textContent = phone.withheld ? _("Number withheld") : phone.caller_number;
      $("offer-hint").textContent = _("Answer it on the desk phone.");
    } else if (canTake()) {
      var next = state.waiting[0];
      offer.hidden = false;
      $("offer-title").textContent = _("Incoming call");
      $("offer-number").textContent = next.withheld ? _("Number withheld") : next.caller_number;
      $("offer-hint").textContent = _("Press A or Enter to answer.");
    } else {
      offer.hidden = true;
    }
    drawTimers();
  }

  function takeNext() {
    if (!canTake()) return;
    var code = state.position.code;
    send("POST", "/api/v1/positions/" + encodeURIComponent(code) + "/take", {}).then(function (call) {
      startCall(call);
      refreshSoon();
    }, function () { refreshSoon(); });
  }

  /* --- the current call -------------------------------------------------------------------- */
  function startCall(call) {
    var fresh = !state.call || state.call.id !== call.id;
    state.call = call;
    if (fresh) {
      state.history = state.trail = state.words = null;
      state.incident = null;
      state.duplicates = [];
      state.location = null;
      state.done = false;
      resetIncidentForm();
      loadCallDetails();
    }
    remember();
    drawCall();
  }

  function loadCallDetails() {
    var call = state.call;
    if (!call) return;
    load("/api/v1/calls/" + call.id + "/history").then(function (h) {
      if (state.call && state.call.id === h.call_id) { state.history = h; drawHistory(); }
    }, function () {});
    loadTrail();
    if (call.simulated && page.demo) loadWords();
  }

  function loadTrail() {
    var call = state.call;
    if (!call) return Promise.resolve();
    return load("/api/v1/calls/" + call.id + "/locations").then(function (trail) {
      if (!state.call || state.call.id !== trail.call_id) return;
      state.trail = trail;
      drawFixes();
      drawMap();
    }, function () {});
  }

  var wordsTimer = null;
  function loadWords() {
    var call = state.call;
    window.clearTimeout(wordsTimer);
    if (!call || !call.simulated || !page.demo) return;
    Siaga.getJSON("/api/v1/demo/calls/" + call.id + "/caller").then(function (words) {
      if (!state.call || state.call.id !== call.id) return;
      state.words = words;
      drawWords();
      if (words.more && words.next_in_seconds !== null) {
        wordsTimer = window.setTimeout(loadWords, Math.max(200, words.next_in_seconds * 1000 + 100));
      }
    }, function () { /* not a demo any more: nothing to show */ });
  }

  function drawWords() {
    var box = $("caller-box"), words = state.words;
    box.hidden = !(state.call && state.call.simulated && page.demo);
    var list = $("caller-lines");
    list.replaceChildren();
    (words ? words.said : []).forEach(function (line) {
      var item = el("li", "ct-line", line.text);
      if (page.locale !== "id") item.appendChild(el("span", "ct-line-translation", line.translation));
      list.appendChild(item);
    });
    $("caller-quiet").hidden = !!(words && words.said.length);
  }

  function drawCall() {
    var call = state.call;
    $("no-call").hidden = !!call;
    $("call").hidden = !call;
    /* The included panels (location link, quick answers) follow the current call. */
    $("location-link").dataset.callId = call ? call.id : "";
    var quick = document.querySelector("[data-quick-answers]");
    if (quick && quick.dataset.callId !== (call ? call.id : "")) quick.dataset.callId = call ? call.id : "";
    document.querySelectorAll("#dispositions button").forEach(function (b) {
      b.disabled = !call || !answered(call);
      b.setAttribute("aria-pressed", String(!!call && call.disposition === b.dataset.disposition));
    });
    $("btn-end-call").disabled = !(call && call.state === "connected" && !call.phone);
    if (!call) {
      $("caller-box").hidden = true;
      $("incident-box").hidden = true;
      drawQueue();
      return;
    }
    $("call-number").textContent = call.withheld ? _("Number withheld") : call.caller_number;
    $("call-state").textContent = label(CALL_STATE, call.state);
    var meta = [label(CHANNEL, call.channel), _("received") + " " + time(call.received_at, true)];
    if (call.wait_seconds !== null) meta.push(_("waited") + " " + duration(call.wait_seconds));
    meta.push(call.phone ? _("on the desk phone") : _("no phone: text only"));
    if (call.disposition) meta.push(label(DISPOSITION, call.disposition));
    $("call-meta").textContent = meta.join(" · ");
    var done = $("call-done");
    done.hidden = !state.done;
    done.textContent = state.done ? _("Done. Ready for the next call.") : "";
    $("incident-box").hidden = call.disposition !== "emergency" && !state.incident;
    drawWords();
    drawQueue();
    drawTimers();
  }

  function drawHistory() {
    var h = state.history, flags = $("call-flags"), list = $("history");
    flags.replaceChildren();
    list.replaceChildren();
    if (!h) { $("history-summary").textContent = ""; return; }
    h.flags.forEach(function (f) {
      var danger = f === "recent_emergency" || f === "active_incident";
      flags.appendChild(el("span", "ct-flag" + (danger ? " ct-flag-danger" : ""), label(FLAG, f)));
    });
    if (h.withheld) {
      $("history-summary").textContent = _("The number is withheld: no history.");
      return;
    }
    var parts = [Siaga.format(_("{count} earlier calls"), {count: h.counts.total || 0})];
    Object.keys(DISPOSITION).forEach(function (d) {
      if (h.counts[d]) parts.push(label(DISPOSITION, d) + " " + h.counts[d]);
    });
    if (h.counts.abandoned) parts.push(label(CALL_STATE, "abandoned") + " " + h.counts.abandoned);
    $("history-summary").textContent = parts.join(" · ");
    h.calls.forEach(function (p) {
      var item = el("li");
      item.appendChild(el("span", "num", time(p.received_at)));
      item.appendChild(el("span", null, p.disposition ? label(DISPOSITION, p.disposition)
                                                      : label(CALL_STATE, p.state)));
      if (p.incident) {
        item.appendChild(el("span", "muted", p.incident.number + " · " +
                            label(INCIDENT_STATUS, p.incident.status)));
      }
      list.appendChild(item);
    });
  }

  function fixPlace(f) {
    if (!f.place) return "";
    return _("Kel.") + " " + f.place.kelurahan.name + ", " + _("Kec.") + " " + f.place.kecamatan.name;
  }

  function drawFixes() {
    var list = $("fixes"), fixes = state.trail ? state.trail.fixes : [];
    list.replaceChildren();
    fixes.slice().reverse().forEach(function (f) {
      var item = el("li");
      item.dataset.fixId = f.id;
      item.dataset.chosen = String(f.chosen);
      var text = label(SOURCE, f.source) + (f.label ? " · " + f.label : "") +
        (f.radius_m ? " · ±" + Math.round(f.radius_m) + " m" : "") + " · " + fixPlace(f);
      item.appendChild(el("span", "grow", text));
      if (f.suggested && !f.chosen) item.appendChild(el("span", "pill", _("suggested")));
      if (f.chosen) {
        item.appendChild(el("span", "pill", _("chosen")));
      } else {
        var choose = el("button", "btn btn-light btn-small", _("Choose"));
        choose.type = "button";
        choose.addEventListener("click", function () { chooseFix(f.id); });
        item.appendChild(choose);
      }
      list.appendChild(item);
    });
    $("fixes-empty").hidden = fixes.length > 0;
  }

  /* --- disposition and the end of the call ---------------------------------------------------- */
  function dispose(disposition) {
    var call = state.call;
    if (!call || !answered(call)) return;
    send("POST", "/api/v1/calls/" + call.id + "/disposition", {disposition: disposition})
      .then(function (updated) {
        state.call = Object.assign({}, state.call, {disposition: updated.disposition});
        if (disposition === "emergency") {
          openIncidentForm();
        } else if (ENDS_THE_CALL[disposition] && state.call.state === "connected" && !state.call.phone) {
          return endCall().then(finishIfDone);
        }
        finishIfDone();
        drawCall();
      }, function () {});
  }

  function endCall() {
    var call = state.call;
    if (!call || call.state !== "connected" || call.phone || !state.position) return Promise.resolve();
    return send("POST", positionUrl("end-call"), {call_id: call.id}).then(function (ended) {
      state.call = ended;
      finishIfDone();
      drawCall();
      refreshSoon();
    }, function () { refreshSoon(); });
  }

  /* A call is done when it has ended and has its disposition (and, for an emergency, its
     incident verified or joined). */
  function finishIfDone() {
    var call = state.call;
    if (!call || call.state === "connected" || call.state === "offered" || !call.disposition) return;
    if (call.disposition === "emergency" && !(state.incident && state.incident.status !== "new")) return;
    state.done = true;
    drawCall();
  }

  document.querySelectorAll("#dispositions button").forEach(function (button) {
    button.addEventListener("click", function () { dispose(button.dataset.disposition); });
  });
  $("btn-end-call").addEventListener("click", function () { endCall(); });

  /* --- the incident form ------------------------------------------------------------------------ */
  var typeSelect = $("incident-type"), subtypeSelect = $("incident-subtype");
  page.incidentTypes.forEach(function (t) {
    var option = el("option", null, t.name);
    option.value = t.code;
    typeSelect.appendChild(option);
  });
  page.verificationMethods.forEach(function (m) {
    var option = el("option", null, label(METHOD, m));
    option.value = m;
    $("verify-method").appendChild(option);
  });

  function resetIncidentForm() {
    $("incident-form").reset();
    $("incident-form").hidden = false;
    $("incident-opened").hidden = true;
    $("incident-sent").hidden = true;
    $("place-hits").hidden = true;
    $("duplicates").hidden = true;
    $("place-shown").textContent = _("Not set: take the caller's location, search, or click the map.");
    typeSelect.value = page.incidentTypes[0].code;
    drawTypeParts();
  }

  function drawTypeParts() {
    var t = types[typeSelect.value];
    subtypeSelect.replaceChildren();
    var none = el("option", null, "–");
    none.value = "";
    subtypeSelect.appendChild(none);
    (t ? t.subtypes : []).forEach(function (s) {
      var option = el("option", null, s.name);
      option.value = s.code;
      subtypeSelect.appendChild(option);
    });
    $("subtype-field").hidden = !(t && t.subtypes.length);
    var protocol = page.triage[typeSelect.value], box = $("triage");
    box.replaceChildren();
    $("priority-field").hidden = !!protocol;
    (protocol ? protocol.questions : []).forEach(function (q) {
      var field = el("label", "field");
      field.appendChild(el("span", null, q.text));
      var select = el("select");
      select.dataset.question = q.code;
      var unasked = el("option", null, _("– not asked –"));
      unasked.value = "";
      select.appendChild(unasked);
      q.answers.forEach(function (a) {
        var option = el("option", null, a.label + (a.priority ? " (" + a.priority + ")" : ""));
        option.value = a.code;
        select.appendChild(option);
      });
      select.addEventListener("change", drawPriority);
      field.appendChild(select);
      box.appendChild(field);
    });
    box.hidden = !protocol || !protocol.questions.length;
    drawPriority();
  }

  function triageAnswers() {
    var answers = {};
    document.querySelectorAll("#triage select").forEach(function (s) {
      if (s.value) answers[s.dataset.question] = s.value;
    });
    return answers;
  }

  /* The same rule as the server's (domain/triage.py): the most urgent answer, else the default. */
  function currentPriority() {
    var protocol = page.triage[typeSelect.value];
    if (!protocol) return $("incident-priority").value;
    var priority = protocol.defaultPriority, answers = triageAnswers();
    protocol.questions.forEach(function (q) {
      q.answers.forEach(function (a) {
        if (answers[q.code] === a.code && a.priority && a.priority < priority) priority = a.priority;
      });
    });
    return priority;
  }

  function drawPriority() {
    var priority = currentPriority(), shown = $("priority-shown");
    shown.textContent = priority;
    shown.className = "pill pill-" + priority;
    var protocol = page.triage[typeSelect.value];
    $("priority-why").textContent = protocol
      ? (Object.keys(triageAnswers()).length ? _("from the answers") : _("the type's default"))
      : _("chosen by you");
  }

  typeSelect.addEventListener("change", function () { drawTypeParts(); checkDuplicates(); });
  $("incident-priority").addEventListener("change", drawPriority);

  function openIncidentForm() {
    $("incident-box").hidden = false;
    if (!state.location) useCallerLocation(false);
    if (!state.incident) typeSelect.focus();
  }

  /* The place: the caller's chosen (else suggested) fix, a map click or a gazetteer pick; each
     becomes the call's chosen location, and its kelurahan the incident's. */
  function setLocationFromFix(f) {
    state.location = {
      lat: f.lat, lon: f.lon,
      kelurahan: f.place ? f.place.kelurahan.code : null,
      kecamatan: f.place ? f.place.kecamatan.code : null,
      placeText: [f.label, fixPlace(f)].filter(Boolean).join(" · ")
    };
    $("place-shown").textContent = state.location.placeText + " (" + f.lat.toFixed(5) + ", " +
      f.lon.toFixed(5) + ")";
    if (!$("incident-address").value && f.label) $("incident-address").value = f.label;
    drawMap();
    checkDuplicates();
  }

  function useCallerLocation(explicit) {
    var trail = state.trail;
    if (!trail || !trail.fixes.length) {
      if (explicit) showError(_("The caller has no location yet."));
      return;
    }
    var id = trail.chosen_fix_id || trail.suggested_fix_id;
    var fix = trail.fixes.filter(function (f) { return f.id === id; })[0] || trail.fixes[trail.fixes.length - 1];
    if (trail.chosen_fix_id === fix.id) setLocationFromFix(fix);
    else chooseFix(fix.id);
  }

  function afterTrail(trail) {
    state.trail = trail;
    drawFixes();
    var chosen = trail.fixes.filter(function (f) { return f.chosen; })[0];
    if (chosen && !$("incident-box").hidden) setLocationFromFix(chosen);
    else drawMap();
  }

  function chooseFix(fixId) {
    if (!state.call) return;
    send("POST", "/api/v1/calls/" + state.call.id + "/location", {fix_id: fixId}).then(afterTrail, function () {});
  }

  function placeFix(body) {
    if (!state.call) return;
    send("POST", "/api/v1/calls/" + state.call.id + "/locations", body).then(function (trail) {
      if ($("incident-box").hidden && state.call.disposition === "emergency") $("incident-box").hidden = false;
      afterTrail(trail);
    }, function () {});
  }

  $("btn-use-fix").addEventListener("click", function () { useCallerLocation(true); });

  /* Gazetteer search: type, arrows to pick, Enter to take. */
  var hits = [], hitIndex = -1, searchTimer = null;
  var search = $("place-search"), hitList = $("place-hits");
  var RADIUS = {kelurahan: 300, kecamatan: 1500, facility: 50};
  function drawHits() {
    hitList.replaceChildren();
    hits.forEach(function (h, i) {
      var text = h.name + (h.kecamatan ? " · " + _("Kec.") + " " + h.kecamatan.name : "");
      var item = el("li", null, text);
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", String(i === hitIndex));
      item.addEventListener("mousedown", function (event) { event.preventDefault(); pickHit(i); });
      hitList.appendChild(item);
    });
    hitList.hidden = hits.length === 0;
  }
  function pickHit(i) {
    var h = hits[i];
    if (!h) return;
    hits = [];
    drawHits();
    search.value = h.name;
    placeFix({lat: h.lat, lon: h.lon, radius_m: RADIUS[h.kind] || null, label: h.name, choose: true});
  }
  search.addEventListener("input", function () {
    window.clearTimeout(searchTimer);
    var q = search.value.trim();
    if (!q) { hits = []; drawHits(); return; }
    searchTimer = window.setTimeout(function () {
      Siaga.getJSON("/api/v1/gazetteer/search?limit=8&q=" + encodeURIComponent(q)).then(function (found) {
        if (search.value.trim() !== q) return;
        hits = found;
        hitIndex = found.length ? 0 : -1;
        drawHits();
      }, function () {});
    }, 150);
  });
  search.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!hits.length) return;
      hitIndex = (hitIndex + (event.key === "ArrowDown" ? 1 : hits.length - 1)) % hits.length;
      drawHits();
    } else if (event.key === "Enter" && !event.ctrlKey) {
      event.preventDefault();
      if (hitIndex >= 0) pickHit(hitIndex);
    }
  });
  search.addEventListener("blur", function () { window.setTimeout(function () { hitList.hidden = true; }, 150); });

  /* Duplicates: open incidents of the type near the place, opened lately. */
  var duplicateCheck = 0;
  function checkDuplicates() {
    var loc = state.location, type = typeSelect.value;
    if (!loc || loc.lat === null || !type || state.incident) {
      state.duplicates = [];
      drawDuplicates();
      return;
    }
    var mine = ++duplicateCheck;
    load("/api/v1/incidents/duplicates?type=" + encodeURIComponent(type) + "&lat=" + loc.lat +
         "&lon=" + loc.lon).then(function (answer) {
      if (mine !== duplicateCheck || state.incident) return;
      state.duplicates = answer.incidents;
      drawDuplicates();
      drawMap();
    }, function () {});
  }

  function drawDuplicates() {
    var box = $("duplicates"), list = $("duplicate-list");
    list.replaceChildren();
    state.duplicates.forEach(function (d, i) {
      var item = el("li");
      item.dataset.incidentId = d.id;
      var text = d.number + " · " + (types[d.type] ? types[d.type].name : d.type) + " · " +
        Siaga.format(_("{metres} m away, opened {minutes} min ago"),
                     {metres: Math.round(d.distance_m), minutes: Math.round(d.age_minutes)}) +
        (d.location.address ? " · " + d.location.address : "");
      var words = el("span", "grow", text);
      item.appendChild(el("span", "pill pill-" + d.priority, d.priority));
      item.appendChild(words);
      var join = el("button", "btn btn-primary btn-small", i === 0 ? "J · " + _("Join this incident") : _("Join this incident"));
      join.type = "button";
      join.addEventListener("click", function () { joinIncident(d.id); });
      item.appendChild(join);
      list.appendChild(item);
    });
    box.hidden = state.duplicates.length === 0;
  }

  function joinIncident(incidentId) {
    var call = state.call;
    if (!call || state.incident) return;
    send("POST", "/api/v1/incidents/" + incidentId + "/calls", {call_id: call.id}).then(function (incident) {
      var note = $("incident-notes").value.trim();
      showIncident(incident);
      $("verify-method").value = "second_caller";
      if (note) addNote(note);
    }, function () {});
  }

  $("incident-form").addEventListener("submit", function (event) {
    event.preventDefault();
    openIncident();
  });

  function openIncident() {
    var call = state.call, loc = state.location || {};
    if (!call || state.incident) return;
    var body = {
      type: typeSelect.value, subtype: subtypeSelect.value || null, triage: triageAnswers(),
      location: {lat: loc.lat === undefined ? null : loc.lat, lon: loc.lon === undefined ? null : loc.lon,
                 address: $("incident-address").value.trim() || null,
                 kelurahan: loc.kelurahan || null, kecamatan: loc.kecamatan || null},
      description: $("incident-notes").value.trim() || null, call_id: call.id
    };
    if (!page.triage[body.type]) body.priority = $("incident-priority").value;
    $("btn-open-incident").disabled = true;
    send("POST", "/api/v1/incidents", body).then(function (opened) {
      return load("/api/v1/incidents/" + opened.id).then(showIncident);
    }).then(function () { $("btn-open-incident").disabled = false; },
            function () { $("btn-open-incident").disabled = false; });
  }

  function showIncident(incident) {
    var first = !state.incident || state.incident.id !== incident.id;
    state.incident = incident;
    state.duplicates = [];
    remember();
    drawDuplicates();
    $("incident-box").hidden = false;
    $("incident-form").hidden = true;
    $("incident-opened").hidden = false;
    $("incident-number").textContent = incident.number;
    var pill = $("incident-priority-shown");
    pill.textContent = incident.priority;
    pill.className = "pill pill-" + incident.priority;
    $("incident-status").textContent = label(INCIDENT_STATUS, incident.status);
    var t = types[incident.type];
    $("incident-summary").textContent = [t ? t.name : incident.type, incident.location.address,
                                         incident.location.kelurahan].filter(Boolean).join(" · ");
    var open = incident.status === "new";
    $("btn-verify").disabled = !open;
    $("verify-method").disabled = !open;
    $("incident-sent").hidden = open;
    var notes = $("incident-notes-list");
    notes.replaceChildren();
    incident.notes.forEach(function (n) {
      var item = el("li");
      item.appendChild(el("span", "num", time(n.at)));
      item.appendChild(el("span", null, n.text));
      notes.appendChild(item);
    });
    if (state.location && state.location.lat !== null) drawMap();
    finishIfDone();
    if (open && first) $("btn-verify").focus();  /* once: a refresh never steals the focus */
  }

  function verify() {
    var incident = state.incident;
    if (!incident || incident.status !== "new") return;
    $("btn-verify").disabled = true;
    send("POST", "/api/v1/incidents/" + incident.id + "/verify", {method: $("verify-method").value})
      .then(function (verified) {
        showIncident(verified);
        document.activeElement.blur();
      }, function () { $("btn-verify").disabled = false; });
  }
  $("btn-verify").addEventListener("click", verify);

  function addNote(text) {
    if (!state.incident) return Promise.resolve();
    return send("POST", "/api/v1/incidents/" + state.incident.id + "/notes", {text: text}).then(function () {
      return load("/api/v1/incidents/" + state.incident.id).then(showIncident);
    }, function () {});
  }
  $("note-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = $("note-text").value.trim();
    if (!text) return;
    addNote(text).then(function () { $("note-text").value = ""; });
  });

  /* --- keys ------------------------------------------------------------------------------------- */
  function inField(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Escape") {
      if (inField(target)) target.blur();
      hitList.hidden = true;
      $("not-ready-form").hidden = true;
      return;
    }
    if (event.key === "Enter" && event.ctrlKey) {
      if (!$("incident-box").hidden && !$("incident-form").hidden) {
        event.preventDefault();
        openIncident();
      }
      return;
    }
    if (inField(target) || event.ctrlKey || event.altKey || event.metaKey) return;
    var key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    var onPage = target === document.body || target === document.documentElement;
    if (KEY_DISPOSITION[key]) { event.preventDefault(); dispose(KEY_DISPOSITION[key]); return; }
    switch (key) {
      case "a": event.preventDefault(); takeNext(); break;
      case "Enter": if (onPage) { event.preventDefault(); takeNext(); } break;
      case "e": event.preventDefault(); endCall(); break;
      case "r": event.preventDefault(); if (!$("btn-ready").disabled) setReady(); break;
      case "n": event.preventDefault(); askNotReady(); break;
      case "i":
        if (state.call && answered(state.call)) {
          event.preventDefault();
          $("incident-box").hidden = false;
          if (!state.incident) typeSelect.focus(); else $("btn-verify").focus();
        }
        break;
      case "l": event.preventDefault(); if (state.call) useCallerLocation(true); break;
      case "f": case "/":
        if (!$("incident-box").hidden && !$("incident-form").hidden) { event.preventDefault(); search.focus(); }
        break;
      case "j": if (state.duplicates.length) { event.preventDefault(); joinIncident(state.duplicates[0].id); } break;
      case "v": event.preventDefault(); verify(); break;
      default: break;
    }
  });

  /* --- loading and staying current --------------------------------------------------------------- */
  function loadPositions() {
    return load("/api/v1/positions").then(function (positions) {
      state.positions = positions;
      var mine = positions.filter(function (p) { return p.operator === page.username; })[0] || null;
      if (mine && state.position && state.position.code === mine.code) mine._phone = state.position._phone;
      state.position = mine;
      drawPosition();
    });
  }

  function loadQueue() {
    return load("/api/v1/calls/waiting").then(function (waiting) {
      state.waiting = waiting;
      drawQueue();
    });
  }

  function loadDesk() {
    if (!state.position) { state.desk = []; return Promise.resolve(); }
    return load("/api/v1/positions/" + encodeURIComponent(state.position.code) + "/calls").then(function (desk) {
      state.desk = desk;
      var current = state.call && desk.filter(function (c) { return c.id === state.call.id; })[0];
      if (current) {
        var before = state.call.state;
        state.call = current;
        if (before !== current.state) loadWords();
        finishIfDone();
      } else if (!state.call && stored.call &&
                 desk.some(function (c) { return c.id === stored.call; })) {
        startCall(desk.filter(function (c) { return c.id === stored.call; })[0]);  /* reloaded */
        finishIfDone();
      } else if (!state.call || state.done || !callIsLive(state.call)) {
        /* A call connected here (a phone call answered on the desk phone, or one taken from
           another tab) becomes the current one; so does one still waiting for a disposition. */
        var live = desk.filter(function (c) { return c.state === "connected"; })[0] ||
          (!state.call || state.done ? desk.filter(function (c) {
            return c.state === "released" && !c.disposition;
          })[0] : null);
        if (live) startCall(live);
      }
      if (state.call && state.call.phone && state.position) state.position._phone = true;
      drawCall();
    });
  }

  function resume() {
    if (!stored.call || state.call) return Promise.resolve();
    /* After a reload: the call and incident this tab was working on. */
    return loadDesk().then(function () {
      if (stored.incident && state.call && !state.incident) {
        return load("/api/v1/incidents/" + stored.incident).then(function (incident) {
          if (incident.call_ids.indexOf(state.call.id) >= 0) showIncident(incident);
        }, function () {});
      }
    });
  }

  function refreshAll() {
    return loadPositions().then(function () {
      return Promise.all([loadQueue(), loadDesk()]);
    }).then(function () {
      if (state.call) {
        loadTrail();
        if (state.incident) {
          load("/api/v1/incidents/" + state.incident.id).then(function (incident) {
            if (state.incident && state.incident.id === incident.id) showIncident(incident);
          }, function () {});
        }
      }
    }, function () {});
  }

  /* Bursts of messages (one commit may carry several events) cause one reload. */
  var refreshTimer = null, callsTimer = null;
  function refreshSoon() {
    window.clearTimeout(refreshTimer);
    refreshTimer = window.setTimeout(refreshAll, 30);
  }
  function refreshCallsSoon() {
    window.clearTimeout(callsTimer);
    callsTimer = window.setTimeout(function () {
      Promise.all([loadQueue(), loadDesk()]).catch(function () {});
    }, 20);
  }

  function onLive(msg) {
    if (msg.topic === "hello") { refreshSoon(); return; }
    if (msg.topic === "call") {
      if (state.call && msg.id === state.call.id &&
          (msg.event === "LocationFixRecorded" || msg.event === "CallLocationChosen")) {
        loadTrail();
      } else {
        refreshCallsSoon();
      }
    } else if (msg.topic === "position") {
      refreshSoon();
    } else if (msg.topic === "incident") {
      if (state.incident && msg.id === state.incident.id) refreshSoon();
      else if (state.duplicates.length || (state.location && !state.incident)) checkDuplicates();
    }
  }

  resetIncidentForm();
  tick();
  window.setInterval(tick, 1000);
  loadPositions().then(resume).then(refreshAll, function () {});
  if (Siaga.live) Siaga.live.subscribe(onLive);
  window.setInterval(function () {
    if (!Siaga.live || !Siaga.live.connected()) refreshAll();
  }, POLL_MS);
  document.body.dataset.consoleReady = "true";
})();
