/* Siaga112: the supervisor's recordings page (recordings.html). The player loads a WAV
   only when asked ("Play"): each load is a playback in the audit log. */
(function () {
  "use strict";
  var _ = Siaga._;
  var page = Siaga.data("siaga-page") || {};

  function $(id) { return document.getElementById(id); }

  function when(iso) {
    return iso ? Siaga.formatTime(new Date(iso), page.zone, page.zoneAbbreviation, false) : "";
  }

  function player(cell, url) {
    var button = Siaga.element("button", "btn", _("Play"));
    button.type = "button";
    button.addEventListener("click", function () {
      var audio = document.createElement("audio");
      audio.controls = true;
      audio.preload = "auto";
      audio.src = url;
      cell.replaceChild(audio, button);
      audio.play().catch(function () { /* autoplay refused: the controls are there */ });
    });
    cell.appendChild(button);
  }

  function load() {
    return Siaga.getJSON("/api/v1/recordings?limit=100").then(function (rows) {
      var body = $("rec-list").querySelector("tbody");
      body.textContent = "";
      rows.forEach(function (r) {
        var row = Siaga.element("tr");
        row.setAttribute("data-call", r.call_id);
        row.appendChild(Siaga.element("td", null, when(r.received_at)));
        row.appendChild(Siaga.element("td", null, r.seconds.toFixed(1) + " s"));
        row.appendChild(Siaga.element("td", "nz-muted", r.call_id.slice(0, 8)));
        var cell = Siaga.element("td", "rec-player");
        player(cell, r.url);
        row.appendChild(cell);
        body.appendChild(row);
      });
      $("rec-empty").hidden = rows.length > 0;
      document.body.setAttribute("data-recordings-ready", "true");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    load();
    if (Siaga.live) {
      Siaga.live.subscribe(function (msg) {
        if (msg.topic === "hello" || (msg.topic === "call" && msg.state === "released")) { load(); }
      });
    }
  });
}());
