/* The dispatcher board: active incidents (most urgent, then oldest, first) with their
   answer-to-dispatch timers, the chosen incident's recommended units (ETA, distance, why the
   others are left out), sending and releasing units, every agency's units, a live map and
   the notifications to agencies that failed. All from the API; re-read on live messages. */
(function () {
  "use strict";
  var _ = Siaga._, K = Siaga.kit, el = K.el, page = K.page;

  var EXCLUSION = {
    busy: _("Busy with another incident"), out_of_service: _("Out of service"),
    wrong_type: _("Another type of unit"), no_position: _("No known position"),
    unreachable: _("No road to the incident"), farther: _("Too far away")
  };
  var SOURCE = {last_fix: _("last position"), station: _("at its station")};
  var POSITION_REFRESH_MS = 3000;
  var RELEASABLE = ["dispatched", "en_route", "on_scene", "transporting", "returning"];

  /* picks: what the dispatcher ticked or unticked for the chosen incident; a refresh keeps it. */
  var state = {incidents: [], failed: [], units: [], agencies: [], stations: [],
               selected: null, recommendation: null, dispatch: null, picks: {}};
  var refresh = function () {};  /* the live reload, once the first load is under way */
  var statusLine = document.getElementById("board-status");

  K.startClock(document.getElementById("clock"));

  /* --- the map ---------------------------------------------------------------------------- */
  var map = K.map("map");
  var incidentLayer = L.layerGroup().addTo(map), unitLayer = L.layerGroup().addTo(map);
  L.control.layers(null, (function () {
    var overlays = {};
    overlays[_("Active incidents")] = incidentLayer;
    overlays[_("Units")] = unitLayer;
    return overlays;
  })(), {collapsed: false}).addTo(map);

  function drawMap() {
    incidentLayer.clearLayers();
    unitLayer.clearLayers();
    state.incidents.forEach(function (i) {
      if (i.location.lat === null || i.location.lon === null) return;
      var selected = state.selected === i.id ? " is-selected" : "";
      L.marker([i.location.lat, i.location.lon], {
        icon: K.icon("siaga-marker--incident siaga-priority--" + i.priority + selected, 22),
        title: i.number + " · " + K.incidentType(i), zIndexOffset: 1000
      }).on("click", function () { select(i.id); }).addTo(incidentLayer);
    });
    var stationAt = {};
    state.stations.forEach(function (s) { stationAt[s.code] = s; });
    state.units.forEach(function (u) {
      var station = stationAt[u.station_code];
      var lat = u.last_lat !== null ? u.last_lat : (station ? station.lat : null);
      var lon = u.last_lon !== null ? u.last_lon : (station ? station.lon : null);
      if (lat === null || lon === null) return;
      L.marker([lat, lon], {
        icon: K.icon("siaga-marker--unit siaga-status--" + u.status, 12),
        title: u.code + " · " + K.label(K.UNIT_STATUS, u.status)
      }).addTo(unitLayer);
    });
  }

  /* --- the incident list with its timers --------------------------------------------------- */
  function timerClass(elapsed, target) {
    if (elapsed === null) return "timer-none";
    if (elapsed > target) return "timer-late";
    return elapsed > target * 0.75 ? "timer-warn" : "timer-ok";
  }

  /* Answer to dispatch: running until the first unit is sent, then frozen. */
  function dispatchTimer(i) {
    var from = i.timer_from ? Date.parse(i.timer_from) : null;
    if (from === null) return {seconds: null, running: false};
    if (i.dispatched_at) return {seconds: Math.max(0, (Date.parse(i.dispatched_at) - from) / 1000),
                                 running: false};
    return {seconds: Math.max(0, (K.now() - from) / 1000), running: true};
  }

  function paintTimers() {
    document.querySelectorAll("#incident-list > li").forEach(function (item) {
      var i = item._incident, t = dispatchTimer(i);
      var timer = item.querySelector(".dispatch-timer");
      timer.className = "dispatch-timer " + timerClass(t.seconds, i.target_seconds) +
        (t.running ? " is-running" : "");
      timer.querySelector(".timer-value").textContent = K.duration(t.seconds);
      item.querySelector(".age-value").textContent = K.duration(K.since(i.received_at || i.created_at));
    });
  }

  function unitChip(u) {
    var chip = el("span", "unit-chip siaga-status-chip--" + u.status, u.unit);
    chip.title = K.label(K.UNIT_STATUS, u.status) + (u.acknowledged ? " · " + _("acknowledged") : "");
    if (u.acknowledged) chip.classList.add("is-acknowledged");
    return chip;
  }

  function drawIncidents() {
    var list = document.getElementById("incident-list");
    list.replaceChildren();
    state.incidents.forEach(function (i) {
      var item = el("li", "incident-card prio-border-" + i.priority);
      item._incident = i;
      item.dataset.incident = i.number;
      item.dataset.id = i.id;
      item.tabIndex = 0;
      if (state.selected === i.id) item.classList.add("is-selected");
      var head = el("div", "incident-head");
      head.appendChild(el("span", "prio prio-" + i.priority, i.priority));
      head.appendChild(el("strong", "incident-number", i.number));
      head.appendChild(el("span", "incident-status status-" + i.status,
                          K.label(K.INCIDENT_STATUS, i.status)));
      item.appendChild(head);
      item.appendChild(el("div", "incident-type", K.incidentType(i)));
      var place = [i.location.address, i.location.kelurahan].filter(Boolean).join(", ");
      if (place) item.appendChild(el("div", "incident-place", place));
      var timers = el("div", "incident-timers");
      var timer = el("span", "dispatch-timer");
      timer.appendChild(el("span", "timer-label", _("Answer → dispatch")));
      timer.appendChild(el("span", "timer-value", "–"));
      timer.appendChild(el("span", "timer-target",
                           Siaga.format(_("target {time}"), {time: K.duration(i.target_seconds)})));
      timers.appendChild(timer);
      var age = el("span", "incident-age");
      age.appendChild(el("span", "timer-label", _("Age")));
      age.appendChild(el("span", "age-value", "–"));
      timers.appendChild(age);
      item.appendChild(timers);
      if (i.units.length) {
        var chips = el("div", "incident-units");
        i.units.forEach(function (u) { chips.appendChild(unitChip(u)); });
        item.appendChild(chips);
      }
      if (i.failed_deliveries) {
        item.appendChild(el("div", "incident-failed",
          Siaga.format(_("{count} notification(s) failed"), {count: i.failed_deliveries})));
      }
      item.addEventListener("click", function () { select(i.id); });
      item.addEventListener("keydown", function (e) { if (e.key === "Enter") select(i.id); });
      list.appendChild(item);
    });
    document.getElementById("incident-count").textContent = String(state.incidents.length);
    document.getElementById("no-incidents").hidden = state.incidents.length > 0;
    paintTimers();
  }

  function agencyName(code) {
    for (var k = 0; k < state.agencies.length; k++) {
      if (state.agencies[k].code === code) return state.agencies[k].name;
    }
    return code;
  }

  function drawFailed() {
    var list = document.getElementById("failed-deliveries");
    list.replaceChildren();
    state.failed.forEach(function (d) {
      var item = el("li", "failed-item");
      item.dataset.delivery = d.id;
      item.appendChild(el("strong", null, d.number));
      item.appendChild(el("span", null, agencyName(d.agency)));
      item.appendChild(el("span", "failed-meta", Siaga.format(
        _("{attempts} attempts, last {time}"), {attempts: d.attempts, time: K.time(d.last_attempt_at)})));
      item.appendChild(el("span", "failed-advice", _("Tell the agency by radio or phone.")));
      list.appendChild(item);
    });
    document.getElementById("failed-count").textContent = String(state.failed.length);
    document.getElementById("no-failed").hidden = state.failed.length > 0;
  }

  /* --- every agency's units ---------------------------------------------------------------- */
  function release(code) {
    return K.act("POST", "/api/v1/dispatch/units/" + encodeURIComponent(code) + "/status",
                 {status: "available"}).then(refresh, function (err) { say(err.message, true); refresh(); });
  }

  function drawUnitBoard() {
    var board = document.getElementById("unit-board");
    board.replaceChildren();
    var numberOf = {};
    state.incidents.forEach(function (i) { numberOf[i.id] = i.number; });
    state.agencies.forEach(function (a) {
      var units = state.units.filter(function (u) { return u.agency_code === a.code; });
      if (!units.length) return;
      var group = el("section", "agency-units");
      group.dataset.agency = a.code;
      var free = units.filter(function (u) { return u.status === "available"; }).length;
      var head = el("h3", "agency-units-head", a.name);
      head.appendChild(el("span", "heading-count",
        Siaga.format(_("{free} of {total} available"), {free: free, total: units.length})));
      group.appendChild(head);
      var list = el("ul", "unit-list");
      units.forEach(function (u) {
        var item = el("li", "unit-row");
        item.dataset.unit = u.code;
        item.dataset.status = u.status;
        item.appendChild(el("span", "status-dot siaga-status--" + u.status));
        item.appendChild(el("span", "unit-code", u.code));
        item.appendChild(el("span", "unit-status", K.label(K.UNIT_STATUS, u.status)));
        if (u.incident_id && numberOf[u.incident_id]) {
          item.appendChild(el("span", "unit-incident", numberOf[u.incident_id]));
        }
        if (RELEASABLE.indexOf(u.status) >= 0 && K.canMove(u.status, "available")) {
          var button = el("button", "btn btn-small unit-release", _("Release"));
          button.type = "button";
          button.title = _("Back to available");
          button.addEventListener("click", function () { button.disabled = true; release(u.code); });
          item.appendChild(button);
        }
        list.appendChild(item);
      });
      group.appendChild(list);
      board.appendChild(group);
    });
  }

  /* --- the chosen incident: recommendation, dispatch, units sent ---------------------------- */
  function say(text, failed) {
    K.showStatus(document.getElementById("detail-message"), text, failed);
  }

  function selectedIncident() {
    for (var k = 0; k < state.incidents.length; k++) {
      if (state.incidents[k].id === state.selected) return state.incidents[k];
    }
    return null;
  }

  function eta(seconds) { return seconds === null ? "–" : K.duration(seconds); }
  function km(meters) {
    return meters === null ? "–" : Siaga.format(_("{km} km"), {km: K.number(meters / 1000, 1)});
  }

  function exclusionText(x, requirement) {
    var unit = state.units.filter(function (u) { return u.code === x.unit; })[0];
    var text = K.label(EXCLUSION, x.reason);
    if (x.reason === "wrong_type" && unit) {
      text = Siaga.format(_("is a {have}; the plan asks for a {want}"), {
        have: K.label(K.UNIT_TYPE, unit.unit_type), want: K.label(K.UNIT_TYPE, requirement.unit_type)});
    } else if (x.reason === "busy" && unit) {
      var other = state.incidents.filter(function (i) { return i.id === unit.incident_id; })[0];
      text = Siaga.format(_("{status} for {incident}"), {
        status: K.label(K.UNIT_STATUS, unit.status), incident: other ? other.number : "–"});
    }
    return text;
  }

  function drawRecommendation() {
    var box = document.getElementById("recommendation");
    box.replaceChildren();
    var r = state.recommendation, incident = selectedIncident();
    if (!r || !incident) return;
    if (!r.plan_found) box.appendChild(el("p", "board-empty", _("No response plan for this type and priority.")));
    var serving = {}, typeOf = {};
    incident.units.forEach(function (u) { serving[u.unit] = true; });
    state.units.forEach(function (u) { typeOf[u.code] = u.unit_type; });
    r.requirements.forEach(function (req) {
      /* Units of this kind already on their way count against the plan: only the rest is
         ticked, so sending again never doubles what was sent. */
      var sent = incident.units.filter(function (u) {
        return u.agency === req.agency && typeOf[u.unit] === req.unit_type;
      }).length;
      var wanted = req.suggested.slice(0, Math.max(0, req.count - sent));
      var block = el("section", "requirement");
      block.dataset.agency = req.agency;
      block.dataset.unitType = req.unit_type;
      var title = el("h4", "requirement-title", Siaga.format(_("{agency}: {type} × {count}"), {
        agency: agencyName(req.agency), type: K.label(K.UNIT_TYPE, req.unit_type), count: req.count}));
      if (sent) {
        title.appendChild(el("span", "requirement-sent",
                             Siaga.format(_("{count} already sent"), {count: sent})));
      }
      if (req.missing) {
        title.appendChild(el("span", "requirement-missing",
                             Siaga.format(_("{count} missing"), {count: req.missing})));
      }
      block.appendChild(title);
      var table = el("table", "candidates");
      var head = el("tr");
      [_("Send"), _("Unit"), _("ETA"), _("Distance"), _("From")].forEach(function (h) {
        head.appendChild(el("th", null, h));
      });
      table.appendChild(head);
      req.candidates.forEach(function (c) {
        var row = el("tr", "candidate");
        row.dataset.unit = c.unit;
        var pick = el("input");
        pick.type = "checkbox";
        pick.className = "candidate-pick";
        pick.value = c.unit;
        pick.checked = Object.prototype.hasOwnProperty.call(state.picks, c.unit)
          ? state.picks[c.unit] : wanted.indexOf(c.unit) >= 0;
        pick.setAttribute("aria-label", Siaga.format(_("Send {unit}"), {unit: c.unit}));
        var cell = el("td");
        cell.appendChild(pick);
        row.appendChild(cell);
        var name = el("td", "candidate-unit");
        name.appendChild(el("strong", null, c.unit));
        name.appendChild(el("span", "candidate-name", c.name));
        if (req.suggested.indexOf(c.unit) >= 0) name.appendChild(el("span", "badge badge-suggested", _("suggested")));
        row.appendChild(name);
        row.appendChild(el("td", "candidate-eta", eta(c.eta_seconds)));
        row.appendChild(el("td", "candidate-distance", km(c.distance_m)));
        row.appendChild(el("td", "candidate-source", K.label(SOURCE, c.position_source)));
        table.appendChild(row);
      });
      if (!req.candidates.length) {
        var none = el("tr");
        var cell = el("td", "board-empty", _("No unit of this agency can go now."));
        cell.colSpan = 5;
        none.appendChild(cell);
        table.appendChild(none);
      }
      block.appendChild(table);
      var left = req.excluded.filter(function (x) { return !serving[x.unit]; });
      if (left.length) {
        var why = el("ul", "excluded");
        left.forEach(function (x) {
          var item = el("li", "excluded-unit");
          item.dataset.unit = x.unit;
          item.dataset.reason = x.reason;
          item.appendChild(el("strong", null, x.unit));
          item.appendChild(el("span", null, exclusionText(x, req)));
          why.appendChild(item);
        });
        block.appendChild(why);
      }
      box.appendChild(block);
    });
    box.querySelectorAll(".candidate-pick").forEach(function (pick) {
      pick.addEventListener("change", function () {
        state.picks[pick.value] = pick.checked;
        updateDispatchButton();
      });
    });
    updateDispatchButton();
  }

  function chosenUnits() {
    var units = [];
    document.querySelectorAll("#recommendation .candidate-pick:checked").forEach(function (p) {
      if (units.indexOf(p.value) < 0) units.push(p.value);
    });
    return units;
  }

  function updateDispatchButton() {
    var incident = selectedIncident();
    var ready = incident && incident.status !== "new" && chosenUnits().length > 0;
    document.getElementById("dispatch-submit").disabled = !ready;
  }

  function drawAssignments() {
    var list = document.getElementById("assignments");
    list.replaceChildren();
    var view = state.dispatch;
    var assignments = view ? view.assignments : [];
    assignments.forEach(function (a) {
      var item = el("li", "assignment" + (a.active ? "" : " is-ended"));
      item.dataset.unit = a.unit;
      item.dataset.status = a.status;
      item.appendChild(el("span", "status-dot siaga-status--" + a.status));
      item.appendChild(el("strong", "assignment-unit", a.unit));
      item.appendChild(el("span", "assignment-status", K.label(K.UNIT_STATUS, a.status)));
      item.appendChild(el("span", "assignment-ack", a.acknowledged_by ? _("acknowledged") : _("not acknowledged yet")));
      item.appendChild(el("span", "assignment-eta", Siaga.format(_("ETA {time}"), {time: eta(a.eta_seconds)})));
      if (a.active && K.canMove(a.status, "available")) {
        var button = el("button", "btn btn-small unit-release", _("Release"));
        button.type = "button";
        button.addEventListener("click", function () { button.disabled = true; release(a.unit); });
        item.appendChild(button);
      }
      list.appendChild(item);
    });
    (view ? view.deliveries : []).forEach(function (d) {
      if (d.status !== "failed") return;
      var item = el("li", "assignment delivery-failed", Siaga.format(
        _("Notification to {agency} failed: tell them by radio or phone."), {agency: agencyName(d.agency)}));
      list.appendChild(item);
    });
    document.getElementById("no-assignments").hidden = assignments.length > 0;
  }

  function drawDetail() {
    var incident = selectedIncident();
    document.getElementById("detail-empty").hidden = !!incident;
    document.getElementById("detail-body").hidden = !incident;
    if (!incident) return;
    var prio = document.getElementById("detail-priority");
    prio.className = "prio prio-" + incident.priority;
    prio.textContent = incident.priority;
    document.getElementById("detail-number").textContent = incident.number;
    document.getElementById("detail-type").textContent = K.incidentType(incident);
    document.getElementById("detail-place").textContent =
      [incident.location.address, incident.location.kelurahan, incident.location.kecamatan]
        .filter(Boolean).join(", ") || _("No location yet");
    document.getElementById("detail-state").textContent = Siaga.format(_("{status} · opened {time}"), {
      status: K.label(K.INCIDENT_STATUS, incident.status), time: K.time(incident.created_at)});
    document.getElementById("detail-verify").hidden = incident.status !== "new";
    drawRecommendation();
    drawAssignments();
  }

  function loadSelected() {
    var incident = selectedIncident();
    if (!incident) {
      state.recommendation = state.dispatch = null;
      return Promise.resolve();
    }
    var id = encodeURIComponent(incident.id);
    return Promise.all([
      Siaga.getJSON("/api/v1/dispatch/incidents/" + id + "/recommendation"),
      Siaga.getJSON("/api/v1/dispatch/incidents/" + id)
    ]).then(function (loaded) {
      if (state.selected !== incident.id) return;  /* another was chosen meanwhile */
      state.recommendation = loaded[0];
      state.dispatch = loaded[1];
    });
  }

  function select(id) {
    if (state.selected === id) return;
    state.selected = id;
    state.recommendation = state.dispatch = null;
    state.picks = {};
    say("");
    drawIncidents();
    drawDetail();
    drawMap();
    var incident = selectedIncident();
    if (incident && incident.location.lat !== null) {
      map.panTo([incident.location.lat, incident.location.lon]);
    }
    loadSelected().then(drawDetail, function (err) { say(err.message, true); });
  }

  document.getElementById("dispatch-submit").addEventListener("click", function () {
    var incident = selectedIncident(), units = chosenUnits(), button = this;
    if (!incident || !units.length) return;
    button.disabled = true;
    K.act("POST", "/api/v1/dispatch/incidents/" + encodeURIComponent(incident.id) + "/units",
          {units: units}).then(function () {
      say(Siaga.format(_("Sent: {units}"), {units: units.join(", ")}));
      state.picks = {};
      refresh();
    }, function (err) {
      say(err.message, true);
      refresh();
    });
  });

  /* Of the calls, only one joining an incident changes the board (its timer may start
     earlier); a position fix is followPositions' business. */
  function notForTheBoard(msg) {
    return K.isPositionFix(msg) || (msg.topic === "call" && msg.event !== "CallLinkedToIncident");
  }

  /* Units' position fixes move their markers: the units alone are re-read, at most every
     few seconds however many crews share their position. */
  function followPositions() {
    if (!Siaga.live) return;
    var waiting = false;
    Siaga.live.subscribe(function (msg) {
      if (!K.isPositionFix(msg) || waiting) return;
      waiting = true;
      window.setTimeout(function () {
        Siaga.getJSON("/api/v1/units").then(function (units) {
          waiting = false;
          state.units = units;
          drawMap();
        }, function () { waiting = false; });
      }, POSITION_REFRESH_MS);
    });
  }

  /* --- loading ----------------------------------------------------------------------------- */
  var drawn = null;
  function load() {
    return Promise.all([
      Siaga.getJSON("/api/v1/dispatch/board"), Siaga.getJSON("/api/v1/units")
    ]).then(function (loaded) {
      state.incidents = loaded[0].incidents;
      state.failed = loaded[0].failed_deliveries;
      state.units = loaded[1];
      if (state.selected && !selectedIncident()) state.selected = null;  /* closed meanwhile */
      return loadSelected();
    }).then(function () {
      K.showStatus(statusLine, "");
      var seen = JSON.stringify([state.incidents, state.failed, state.units, state.selected,
                                 state.recommendation && state.recommendation.requirements,
                                 state.dispatch]);
      if (seen === drawn) return;  /* nothing changed: no redraw under the dispatcher's mouse */
      drawn = seen;
      drawIncidents();
      drawFailed();
      drawUnitBoard();
      drawMap();
      drawDetail();
      document.body.dataset.boardReady = "true";
    });
  }

  Promise.all([Siaga.getJSON("/api/v1/agencies"), Siaga.getJSON("/api/v1/stations")])
    .then(function (loaded) {
      state.agencies = loaded[0];
      state.stations = loaded[1];
      refresh = K.follow(load, {
        topics: ["incident", "unit", "call", "link"], ignore: notForTheBoard,
        onError: function (err) { K.showStatus(statusLine, err.message, true); }
      });
      followPositions();
    }, function (err) { K.showStatus(statusLine, err.message, true); });

  window.setInterval(paintTimers, 1000);
})();
