/* The center overview: a map of the center's own layers and a panel of its resources.
   Everything comes from the API; live layers (units, incidents) refresh every 30 s. */
(function () {
  "use strict";
  var _ = Siaga._, el = Siaga.element;
  var page = Siaga.data("siaga-page");
  var REFRESH_MS = 30000;

  var UNIT_STATUS = [
    ["available", _("Available")],
    ["dispatched", _("Dispatched")],
    ["en_route", _("En route")],
    ["on_scene", _("On scene")],
    ["transporting", _("Transporting")],
    ["returning", _("Returning")],
    ["out_of_service", _("Out of service")]
  ];
  var INCIDENT_STATUS = {
    "new": _("New"), verified: _("Verified"), dispatched: _("Units dispatched"),
    on_scene: _("On scene"), resolved: _("Resolved"), closed: _("Closed"),
    cancelled: _("Cancelled"), false_alarm: _("False alarm")
  };
  var AGENCY_KIND = {
    fire: _("Fire and rescue"), health: _("Health / ambulance"), public_order: _("Public order"),
    police: _("Police"), disaster: _("Disaster management"),
    search_and_rescue: _("Search and rescue"), red_cross: _("Red Cross"),
    transport: _("Transport"), electricity: _("Electricity")
  };
  var UNIT_TYPE = {
    fire_engine: _("Fire engine"), water_tanker: _("Water tanker"),
    rescue_vehicle: _("Rescue vehicle"), ambulance: _("Ambulance"), patrol: _("Patrol"),
    rescue_team: _("Rescue team"), rescue_boat: _("Rescue boat"), tow_truck: _("Tow truck"),
    repair_crew: _("Repair crew")
  };
  var statusLabel = {};
  UNIT_STATUS.forEach(function (s) { statusLabel[s[0]] = s[1]; });

  function label(table, code) { return table[code] || code; }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"}[c];
    });
  }

  /* --- the clock: the server's time in the center's zone -------------------------------- */
  var clock = document.getElementById("clock");
  var skew = page.serverNow - Date.now();
  function tick() {
    clock.textContent = Siaga.formatTime(new Date(Date.now() + skew), page.zone,
                                         page.zoneAbbreviation, true);
  }
  tick();
  window.setInterval(tick, 1000);

  /* --- the map --------------------------------------------------------------------------- */
  var map = L.map("map", {zoomControl: false, center: page.mapCenter, zoom: page.mapZoom});
  L.control.zoom({zoomInTitle: _("Zoom in"), zoomOutTitle: _("Zoom out")}).addTo(map);
  L.control.scale({imperial: false}).addTo(map);
  map.attributionControl.setPrefix("Leaflet");
  if (page.tileUrl) L.tileLayer(page.tileUrl, {maxZoom: 19}).addTo(map);

  var layers = {
    kelurahan: L.layerGroup().addTo(map),
    puskesmas: L.layerGroup().addTo(map),
    stations: L.layerGroup().addTo(map),
    units: L.layerGroup().addTo(map)
  };
  if (page.canReadIncidents) layers.incidents = L.layerGroup().addTo(map);
  var control = L.control.layers(null, null, {collapsed: false}).addTo(map);
  var layerNames = {
    kelurahan: _("Kelurahan offices"), puskesmas: _("Puskesmas"),
    stations: _("Other stations"), units: _("Units"), incidents: _("Active incidents")
  };

  function icon(classes, size, anchor) {
    return L.divIcon({className: "siaga-marker " + classes, iconSize: [size, size],
                      iconAnchor: anchor || [size / 2, size / 2], html: ""});
  }

  function popup(title, rows, demo) {
    var box = el("div", "popup");
    box.appendChild(el("div", "popup-title", title));
    if (demo) box.appendChild(el("span", "badge badge-demo", _("demo")));
    rows.forEach(function (row) {
      if (row[1] === null || row[1] === undefined || row[1] === "") return;
      var line = el("div", "popup-row");
      line.appendChild(el("span", "popup-key", row[0]));
      line.appendChild(el("span", "popup-value", row[1]));
      box.appendChild(line);
    });
    return box;
  }

  function place(layer, lat, lon, markerIcon, title, rows, demo, onTop) {
    L.marker([lat, lon], {icon: markerIcon, title: title, zIndexOffset: onTop ? 1000 : 0})
      .bindPopup(popup(title, rows, demo))
      .addTo(layer);
  }

  function isPuskesmas(station) {
    return station.code.indexOf("puskesmas") === 0 || /^puskesmas\b/i.test(station.name);
  }

  /* --- drawing --------------------------------------------------------------------------- */
  var state = {agencies: [], stations: [], units: [], incidents: [], gazetteer: null};

  function drawGazetteer() {
    var kecamatan = {};
    state.gazetteer.kecamatan.forEach(function (k) { kecamatan[k.code] = k.name; });
    state.gazetteer.kelurahan.forEach(function (k) {
      place(layers.kelurahan, k.lat, k.lon, icon("siaga-marker--kelurahan", 10),
            _("Kelurahan") + " " + k.name, [[_("Kecamatan"), label(kecamatan, k.kecamatan)]]);
    });
  }

  function drawStations(agencyName, agencyKind) {
    state.stations.forEach(function (s) {
      var puskesmas = isPuskesmas(s);
      var classes = puskesmas ? "siaga-marker--puskesmas"
        : "siaga-marker--station siaga-kind--" + agencyKind[s.agency_code];
      if (s.demo) classes += " siaga-marker--demo";
      place(puskesmas ? layers.puskesmas : layers.stations, s.lat, s.lon,
            icon(classes, puskesmas ? 20 : 18), s.name,
            [[_("Agency"), agencyName[s.agency_code] || s.agency_code],
             [_("Address"), s.address], [_("Phone"), s.phone]], s.demo);
    });
  }

  function drawUnits(agencyName) {
    layers.units.clearLayers();
    var stationAt = {};
    state.stations.forEach(function (s) { stationAt[s.code] = s; });
    var groups = {};  /* units at the same point are set around it, not on top of each other */
    state.units.forEach(function (u) {
      var station = stationAt[u.station_code];
      var lat = u.last_lat !== null ? u.last_lat : (station ? station.lat : null);
      var lon = u.last_lon !== null ? u.last_lon : (station ? station.lon : null);
      if (lat === null || lon === null) return;
      var key = lat + "," + lon;
      (groups[key] = groups[key] || []).push({unit: u, lat: lat, lon: lon, station: station});
    });
    Object.keys(groups).forEach(function (key) {
      var group = groups[key];
      group.forEach(function (g, i) {
        var angle = 2 * Math.PI * i / group.length - Math.PI / 2;
        var r = group.length > 1 ? 16 : 14, u = g.unit;
        var anchor = [6 - Math.round(r * Math.cos(angle)), 6 - Math.round(r * Math.sin(angle))];
        var classes = "siaga-marker--unit siaga-status--" + u.status + (u.demo ? " siaga-marker--demo" : "");
        place(layers.units, g.lat, g.lon, icon(classes, 12, anchor), u.code + " · " + u.name,
              [[_("Status"), label(statusLabel, u.status)],
               [_("Type"), label(UNIT_TYPE, u.unit_type)],
               [_("Agency"), agencyName[u.agency_code] || u.agency_code],
               [_("Station"), g.station ? g.station.name : null]], u.demo);
      });
    });
  }

  function drawIncidents() {
    if (!layers.incidents) return;
    layers.incidents.clearLayers();
    state.incidents.forEach(function (i) {
      if (i.location.lat === null || i.location.lon === null) return;
      var title = i.number + " · " + label(page.incidentTypes, i.type);
      place(layers.incidents, i.location.lat, i.location.lon,
            icon("siaga-marker--incident siaga-priority--" + i.priority, 22), title,
            [[_("Priority"), i.priority], [_("Status"), label(INCIDENT_STATUS, i.status)],
             [_("Opened"), Siaga.formatTime(new Date(i.created_at), page.zone, page.zoneAbbreviation)],
             [_("Address"), i.location.address], [_("Kelurahan"), i.location.kelurahan]],
            false, true);
    });
  }

  function refreshLayerControl() {
    Object.keys(layers).forEach(function (name) {
      control.removeLayer(layers[name]);
      var count = layers[name].getLayers().length;
      control.addOverlay(layers[name], "<span class=\"layer-name layer-" + name + "\">" +
                         escapeHtml(layerNames[name]) + "</span> <span class=\"layer-count\">" +
                         count + "</span>");
    });
  }

  /* --- the side panel -------------------------------------------------------------------- */
  function setCount(name, value) {
    var dd = document.querySelector("[data-count=\"" + name + "\"]");
    if (dd) dd.textContent = String(value);
  }

  function drawPanel() {
    var puskesmas = state.stations.filter(isPuskesmas).length;
    setCount("kecamatan", state.gazetteer.kecamatan.length);
    setCount("kelurahan", state.gazetteer.kelurahan.length);
    setCount("puskesmas", puskesmas);
    setCount("stations", state.stations.length - puskesmas);
    setCount("units", state.units.length);
    setCount("incidents", state.incidents.length);

    var byStatus = {};
    state.units.forEach(function (u) { byStatus[u.status] = (byStatus[u.status] || 0) + 1; });
    var list = document.getElementById("unit-status");
    list.replaceChildren();
    UNIT_STATUS.forEach(function (s) {
      var item = el("li", "status-item");
      item.dataset.status = s[0];
      item.appendChild(el("span", "status-dot siaga-status--" + s[0]));
      item.appendChild(el("span", "status-name", s[1]));
      item.appendChild(el("span", "status-count", byStatus[s[0]] || 0));
      list.appendChild(item);
    });

    var agencies = document.getElementById("agencies");
    agencies.replaceChildren();
    state.agencies.forEach(function (a) {
      var stations = state.stations.filter(function (s) { return s.agency_code === a.code; });
      var units = state.units.filter(function (u) { return u.agency_code === a.code; });
      var item = el("li", "agency");
      item.dataset.agency = a.code;
      var head = el("div", "agency-head");
      head.appendChild(el("span", "agency-swatch siaga-kind--" + a.kind));
      head.appendChild(el("span", "agency-name", a.name));
      item.appendChild(head);
      var meta = el("div", "agency-meta");
      meta.appendChild(el("span", "agency-kind", label(AGENCY_KIND, a.kind)));
      if (a.phone) meta.appendChild(el("span", "agency-phone", _("Phone") + " " + a.phone));
      meta.appendChild(el("span", "agency-resources",
        Siaga.format(_("Stations: {stations} · Units: {units}"),
                     {stations: stations.length, units: units.length})));
      item.appendChild(meta);
      agencies.appendChild(item);
    });
  }

  /* --- loading --------------------------------------------------------------------------- */
  var status = document.getElementById("map-status");
  function showStatus(text, failed) {
    status.textContent = text || "";
    status.hidden = !text;
    status.classList.toggle("is-error", !!failed);
  }

  function loadLive() {
    return Promise.all([
      Siaga.getJSON("/api/v1/units"),
      page.canReadIncidents ? Siaga.getJSON("/api/v1/incidents?active=true") : Promise.resolve([])
    ]).then(function (live) {
      state.units = live[0];
      state.incidents = live[1];
    });
  }

  function agencyField(field) {
    var byCode = {};
    state.agencies.forEach(function (a) { byCode[a.code] = a[field]; });
    return byCode;
  }

  function drawLive() {
    drawUnits(agencyField("name"));
    drawIncidents();
    refreshLayerControl();
    drawPanel();
  }

  Promise.all([
    Siaga.getJSON("/api/v1/center"), Siaga.getJSON("/api/v1/agencies"),
    Siaga.getJSON("/api/v1/stations"), loadLive()
  ]).then(function (loaded) {
    state.gazetteer = loaded[0].gazetteer;
    state.agencies = loaded[1];
    state.stations = loaded[2];
    drawGazetteer();
    drawStations(agencyField("name"), agencyField("kind"));
    drawLive();
    showStatus("");
    document.body.dataset.mapReady = "true";
    window.setInterval(function () {
      loadLive().then(function () { drawLive(); showStatus(""); },
                      function (err) { showStatus(err.message, true); });
    }, REFRESH_MS);
  }, function (err) {
    showStatus(err.message, true);
  });
})();
