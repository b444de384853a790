/* The agency console, made for a phone: the agency's units on a job with acknowledge and
   status buttons, the incidents it was sent to, its units, and the officer's unit position
   from the phone's geolocation once they allow it. Everything through the API, which shows
   an agency only its own units and the incidents they were sent to. */
(function () {
  "use strict";
  var _ = Siaga._, K = Siaga.kit, el = K.el, page = K.page;
  var STEPS = [["en_route", _("En route")], ["on_scene", _("On scene")],
               ["transporting", _("Transporting")], ["available", _("Clear")]];
  var MY_UNIT_KEY = "siaga112.agency.unit";

  var state = {units: [], incidents: [], views: {}};
  var statusLine = document.getElementById("agency-status");
  var refresh = function () {};

  K.startClock(document.getElementById("clock"));

  function say(text, failed) {
    K.showStatus(document.getElementById("agency-message"), text, failed);
  }

  function incidentOf(unit) {
    return state.incidents.filter(function (i) { return i.id === unit.incident_id; })[0] || null;
  }

  function assignmentOf(unit) {
    var view = unit.incident_id ? state.views[unit.incident_id] : null;
    if (!view) return null;
    return view.assignments.filter(function (a) { return a.unit === unit.code && a.active; })[0] || null;
  }

  function unitUrl(code, what) {
    return "/api/v1/dispatch/units/" + encodeURIComponent(code) + "/" + what;
  }

  function run(button, method, url, body, done) {
    button.disabled = true;
    K.act(method, url, body).then(function () {
      say(done);
      refresh();
    }, function (err) {
      say(err.message, true);
      refresh();
    });
  }

  /* --- units on a job ------------------------------------------------------------------- */
  function jobCard(unit) {
    var incident = incidentOf(unit), assignment = assignmentOf(unit);
    var card = el("article", "job-card");
    card.dataset.unit = unit.code;
    card.dataset.status = unit.status;
    var head = el("div", "job-head");
    head.appendChild(el("strong", "job-unit", unit.code));
    head.appendChild(el("span", "job-status siaga-status-chip--" + unit.status,
                        K.label(K.UNIT_STATUS, unit.status)));
    card.appendChild(head);
    if (incident) {
      var what = el("div", "job-incident");
      what.appendChild(el("span", "prio prio-" + incident.priority, incident.priority));
      what.appendChild(el("strong", "job-number", incident.number));
      what.appendChild(el("span", null, K.incidentType(incident)));
      card.appendChild(what);
      var place = [incident.location.address, incident.location.kelurahan].filter(Boolean).join(", ");
      card.appendChild(el("p", "job-place", place || _("No location yet")));
    }
    var acknowledged = assignment && assignment.acknowledged_by;
    if (assignment && !acknowledged) {
      var ack = el("button", "btn btn-primary btn-touch job-ack", _("Acknowledge"));
      ack.type = "button";
      ack.addEventListener("click", function () {
        run(ack, "POST", unitUrl(unit.code, "acknowledge"), undefined,
            Siaga.format(_("{unit}: acknowledged"), {unit: unit.code}));
      });
      card.appendChild(ack);
    } else if (acknowledged) {
      card.appendChild(el("p", "job-acknowledged", _("Acknowledged")));
    }
    var buttons = el("div", "status-buttons");
    STEPS.forEach(function (step) {
      var button = el("button", "btn btn-touch status-button", step[1]);
      button.type = "button";
      button.dataset.status = step[0];
      button.disabled = !K.canMove(unit.status, step[0]);
      button.addEventListener("click", function () {
        run(button, "POST", unitUrl(unit.code, "status"), {status: step[0]},
            Siaga.format(_("{unit}: {status}"), {unit: unit.code, status: step[1]}));
      });
      buttons.appendChild(button);
    });
    card.appendChild(buttons);
    return card;
  }

  function drawJobs() {
    var box = document.getElementById("jobs");
    box.replaceChildren();
    var busy = state.units.filter(function (u) { return u.incident_id; });
    busy.forEach(function (u) { box.appendChild(jobCard(u)); });
    document.getElementById("no-jobs").hidden = busy.length > 0;
  }

  function drawIncidents() {
    var list = document.getElementById("incidents");
    list.replaceChildren();
    state.incidents.forEach(function (i) {
      var item = el("li", "agency-incident");
      item.dataset.incident = i.number;
      var head = el("div", "job-incident");
      head.appendChild(el("span", "prio prio-" + i.priority, i.priority));
      head.appendChild(el("strong", null, i.number));
      head.appendChild(el("span", null, K.label(K.INCIDENT_STATUS, i.status)));
      item.appendChild(head);
      item.appendChild(el("div", null, K.incidentType(i)));
      var place = [i.location.address, i.location.kelurahan].filter(Boolean).join(", ");
      if (place) item.appendChild(el("div", "job-place", place));
      item.appendChild(el("div", "job-time", Siaga.format(_("Opened {time}"), {time: K.time(i.created_at)})));
      list.appendChild(item);
    });
    document.getElementById("no-incidents").hidden = state.incidents.length > 0;
  }

  function drawUnits() {
    var list = document.getElementById("units");
    list.replaceChildren();
    state.units.forEach(function (u) {
      var item = el("li", "unit-row");
      item.dataset.unit = u.code;
      item.dataset.status = u.status;
      item.appendChild(el("span", "status-dot siaga-status--" + u.status));
      item.appendChild(el("span", "unit-code", u.code));
      item.appendChild(el("span", "unit-status", K.label(K.UNIT_STATUS, u.status)));
      if (u.status === "returning") {
        var back = el("button", "btn btn-small", _("Clear"));
        back.type = "button";
        back.addEventListener("click", function () {
          run(back, "POST", unitUrl(u.code, "status"), {status: "available"},
              Siaga.format(_("{unit}: {status}"), {unit: u.code, status: _("Clear")}));
        });
        item.appendChild(back);
      }
      list.appendChild(item);
    });
  }

  /* --- the officer's unit and its position ------------------------------------------------ */
  var select = document.getElementById("my-unit");
  var shareButton = document.getElementById("share-position");
  var positionState = document.getElementById("position-state");
  var watch = null, lastSent = null;

  function remembered() {
    try { return window.localStorage.getItem(MY_UNIT_KEY); } catch (e) { return null; }
  }

  function drawUnitChoice() {
    var wanted = select.value || remembered();
    var codes = state.units.map(function (u) { return u.code; });
    if (codes.indexOf(wanted) < 0) {
      var busy = state.units.filter(function (u) { return u.incident_id; })[0];
      wanted = busy ? busy.code : codes[0];
    }
    select.replaceChildren();
    state.units.forEach(function (u) {
      var option = el("option", null, u.code + " · " + u.name);
      option.value = u.code;
      select.appendChild(option);
    });
    if (wanted) select.value = wanted;
    shareButton.disabled = !codes.length;
  }

  select.addEventListener("change", function () {
    try { window.localStorage.setItem(MY_UNIT_KEY, select.value); } catch (e) { /* private mode */ }
    lastSent = null;
  });

  function metersBetween(a, b) {
    var rad = Math.PI / 180, dLat = (b.lat - a.lat) * rad, dLon = (b.lon - a.lon) * rad;
    var h = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
      Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 2 * 6371008.8 * Math.asin(Math.sqrt(h));
  }

  function onFix(position) {
    var fix = {lat: position.coords.latitude, lon: position.coords.longitude,
               accuracy_m: position.coords.accuracy};
    var due = lastSent === null ||
      Date.now() - lastSent.at > page.positionEverySeconds * 1000 ||
      metersBetween(lastSent, fix) > page.positionMovedMeters;
    if (!due || !select.value) return;
    lastSent = {lat: fix.lat, lon: fix.lon, at: Date.now()};
    K.act("POST", unitUrl(select.value, "position"), fix).then(function (unit) {
      positionState.textContent = Siaga.format(_("{unit}: position shared at {time} (±{meters} m)"), {
        unit: unit.code, time: K.time(new Date(K.now()).toISOString(), true),
        meters: K.number(fix.accuracy_m || 0)});
      positionState.dataset.shared = "true";
    }, function (err) {
      lastSent = null;
      positionState.textContent = err.message;
    });
  }

  function onFixError(error) {
    positionState.dataset.shared = "false";
    positionState.textContent = error && error.code === 1
      ? _("Position not allowed: allow it in the browser to share it.")
      : _("The position could not be read. Still trying…");
  }

  shareButton.addEventListener("click", function () {
    if (watch !== null) {
      navigator.geolocation.clearWatch(watch);
      watch = null;
      shareButton.textContent = _("Share my position");
      positionState.textContent = _("Your position is not shared.");
      positionState.dataset.shared = "false";
      return;
    }
    if (!navigator.geolocation) {
      positionState.textContent = _("This browser cannot tell its position.");
      return;
    }
    lastSent = null;
    positionState.textContent = _("Reading the position…");
    watch = navigator.geolocation.watchPosition(onFix, onFixError,
      {enableHighAccuracy: true, maximumAge: 10000, timeout: 30000});
    shareButton.textContent = _("Stop sharing my position");
  });

  /* --- loading ---------------------------------------------------------------------------- */
  var drawn = null, changed = true;
  function load() {
    return Promise.all([
      Siaga.getJSON("/api/v1/units"), Siaga.getJSON("/api/v1/incidents?active=true")
    ]).then(function (loaded) {
      var units = loaded[0], incidents = loaded[1];
      return Promise.all(incidents.map(function (i) {
        return Siaga.getJSON("/api/v1/dispatch/incidents/" + encodeURIComponent(i.id));
      })).then(function (views) {
        var seen = JSON.stringify([units, incidents, views]);
        changed = seen !== drawn;
        drawn = seen;
        state.units = units;
        state.incidents = incidents;
        state.views = {};
        views.forEach(function (v) { state.views[v.incident_id] = v; });
      });
    }).then(function () {
      K.showStatus(statusLine, "");
      if (!changed) return;  /* the same as shown: no redraw under the officer's finger */
      drawJobs();
      drawIncidents();
      drawUnits();
      drawUnitChoice();
      document.body.dataset.agencyReady = "true";
    });
  }

  refresh = K.follow(load, {
    topics: ["incident", "unit"], ignore: K.isPositionFix,
    onError: function (err) { K.showStatus(statusLine, err.message, true); }
  });
})();
