/* Siaga112: what the dispatcher, agency and wallboard consoles share (load after common.js
   and live.js). The clock in the center's zone, the names of statuses, durations, actions on
   the API with their errors in the user's language, and `follow`: load from the API at once,
   again on every live message of the topics asked, and every `fallbackMs` only while the
   live channel is down. */
Siaga.kit = (function () {
  "use strict";
  var _ = Siaga._, el = Siaga.element;
  var page = Siaga.data("siaga-page") || {};
  var skew = (page.serverNow || Date.now()) - Date.now();

  var UNIT_STATUS = {
    available: _("Available"), dispatched: _("Dispatched"), en_route: _("En route"),
    on_scene: _("On scene"), transporting: _("Transporting"), returning: _("Returning"),
    out_of_service: _("Out of service")
  };
  var INCIDENT_STATUS = {
    "new": _("New"), verified: _("Verified"), dispatched: _("Units dispatched"),
    on_scene: _("On scene"), resolved: _("Resolved"), closed: _("Closed"),
    cancelled: _("Cancelled"), false_alarm: _("False alarm")
  };
  var UNIT_TYPE = {
    fire_engine: _("Fire engine"), water_tanker: _("Water tanker"),
    rescue_vehicle: _("Rescue vehicle"), ambulance: _("Ambulance"), patrol: _("Patrol"),
    rescue_team: _("Rescue team"), rescue_boat: _("Rescue boat"), tow_truck: _("Tow truck"),
    repair_crew: _("Repair crew")
  };

  function label(table, code) { return table[code] || code; }

  function now() { return Date.now() + skew; }

  /* Seconds since an ISO time, by the server's clock. */
  function since(iso) { return iso ? Math.max(0, (now() - Date.parse(iso)) / 1000) : null; }

  /* 65 -> "01:05"; 3725 -> "1:02:05". */
  function duration(seconds) {
    if (seconds === null || seconds === undefined || isNaN(seconds)) return "–";
    var s = Math.floor(seconds), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    var two = function (n) { return (n < 10 ? "0" : "") + n; };
    return (h ? h + ":" + two(m) : two(m)) + ":" + two(s % 60);
  }

  function time(iso, seconds) {
    return iso ? Siaga.formatTime(new Date(iso), page.zone, page.zoneAbbreviation, seconds) : "–";
  }

  function startClock(node) {
    if (!node) return;
    var tick = function () {
      node.textContent = Siaga.formatTime(new Date(now()), page.zone, page.zoneAbbreviation, true);
    };
    tick();
    window.setInterval(tick, 1000);
  }

  function number(value, digits) {
    return new Intl.NumberFormat(page.locale || "id", {
      minimumFractionDigits: digits || 0, maximumFractionDigits: digits || 0
    }).format(value);
  }

  function percent(share) {
    if (share === null || share === undefined) return "–";
    return new Intl.NumberFormat(page.locale || "id", {
      style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1
    }).format(share);
  }

  function incidentType(incident) {
    var name = label(page.incidentTypes || {}, incident.type);
    var sub = incident.subtype && (page.incidentSubtypes || {})[incident.type + "/" + incident.subtype];
    return sub ? name + " · " + sub : name;
  }

  /* Is this move of a unit's status allowed (the server's table, sent with the page)? */
  function canMove(from, to) {
    return ((page.unitTransitions || {})[from] || []).indexOf(to) >= 0;
  }

  /* A change through the API: resolves with the answer's JSON, rejects with a sentence. */
  function act(method, url, body) {
    return Siaga.api(method, url, body).then(function (response) {
      if (response.ok) return response.json();
      var why = {
        403: _("You may not do this."),
        404: _("Not found: it may have been closed or removed."),
        409: _("Not possible now: it changed meanwhile. The board has been refreshed."),
        422: _("The request was not accepted: check what was entered.")
      }[response.status] || _("The action failed. Try again.");
      throw new Error(why);
    }, function () {
      throw new Error(_("No connection to the server. Try again."));
    });
  }

  /* A position fix moves a unit on a map but changes nothing else a console shows. */
  function isPositionFix(msg) { return msg.event === "UnitPositionReported"; }

  function follow(load, options) {
    options = options || {};
    var busy = false, again = false, timer = null;
    function run() {
      if (busy) { again = true; return; }
      busy = true;
      var finish = function () {
        busy = false;
        if (again) { again = false; run(); }
      };
      Promise.resolve().then(load).then(function () {
        if (options.onLoaded) options.onLoaded();
        finish();
      }, function (err) {
        if (options.onError) options.onError(err);
        finish();
      });
    }
    function soon() {
      if (timer !== null) return;
      timer = window.setTimeout(function () { timer = null; run(); }, options.debounceMs || 150);
    }
    if (Siaga.live) {
      Siaga.live.subscribe(function (msg) {
        if (msg.topic === "hello") return soon();
        if (options.ignore && options.ignore(msg)) return;
        if (!options.topics || options.topics.indexOf(msg.topic) >= 0) soon();
      });
    }
    window.setInterval(function () {
      if (!(Siaga.live && Siaga.live.connected())) run();
    }, options.fallbackMs || 15000);
    run();
    return soon;
  }

  function showStatus(node, text, failed) {
    if (!node) return;
    node.textContent = text || "";
    node.hidden = !text;
    node.classList.toggle("is-error", !!failed);
  }

  /* A Leaflet map of the center with its own layers only (tiles if a server is set). */
  function map(id) {
    var m = L.map(id, {zoomControl: false, center: page.mapCenter, zoom: page.mapZoom});
    L.control.zoom({zoomInTitle: _("Zoom in"), zoomOutTitle: _("Zoom out")}).addTo(m);
    L.control.scale({imperial: false}).addTo(m);
    m.attributionControl.setPrefix("Leaflet");
    if (page.tileUrl) L.tileLayer(page.tileUrl, {maxZoom: 19}).addTo(m);
    return m;
  }

  function icon(classes, size) {
    return L.divIcon({className: "siaga-marker " + classes, iconSize: [size, size],
                      iconAnchor: [size / 2, size / 2], html: ""});
  }

  return {
    page: page, el: el, label: label, now: now, since: since, duration: duration, time: time,
    startClock: startClock, number: number, percent: percent, incidentType: incidentType,
    canMove: canMove, act: act, follow: follow, isPositionFix: isPositionFix, showStatus: showStatus, map: map, icon: icon,
    UNIT_STATUS: UNIT_STATUS, INCIDENT_STATUS: INCIDENT_STATUS, UNIT_TYPE: UNIT_TYPE
  };
})();
