/* Siaga112: the supervisor's nuisance page (nuisance.html): blocks (review, lift), the
   numbers with nuisance calls, and the education report (hour, weekday, kelurahan). */
(function () {
  "use strict";
  var _ = Siaga._;
  var page = Siaga.data("siaga-page") || {};
  var API = "/api/v1/nuisance";
  var KINDS = ["prank", "silent", "hang_up"];
  var WEEKDAYS = {mon: _("Mon"), tue: _("Tue"), wed: _("Wed"), thu: _("Thu"), fri: _("Fri"),
                  sat: _("Sat"), sun: _("Sun")};
  var STATUS = {active: _("Active"), expired: _("Expired"), lifted: _("Lifted")};
  var DISPOSITIONS = {prank: _("Prank"), silent: _("Silent"), hang_up: _("Hang-up")};
  var reviewing = null;

  function $(id) { return document.getElementById(id); }

  function when(iso) {
    return iso ? Siaga.formatTime(new Date(iso), page.zone, page.zoneAbbreviation, false) : "";
  }

  function number(value) {
    return new Intl.NumberFormat(page.locale || "id").format(value);
  }

  function cell(row, text, className) {
    var td = Siaga.element("td", className || null, text);
    row.appendChild(td);
    return td;
  }

  /* --- blocks -------------------------------------------------------------------------- */
  function loadBlocks() {
    var status = $("nz-block-filter").value;
    return Siaga.getJSON(API + "/blocks?status=" + encodeURIComponent(status)).then(function (blocks) {
      var body = $("nz-blocks").querySelector("tbody");
      body.textContent = "";
      blocks.forEach(function (b) {
        var row = Siaga.element("tr");
        row.setAttribute("data-block", b.id);
        row.setAttribute("data-status", b.status);
        cell(row, b.caller_number, "nz-num");
        cell(row, "").appendChild(Siaga.element("span", "nz-status nz-status-" + b.status,
                                                STATUS[b.status] || b.status));
        cell(row, when(b.created_at));
        cell(row, b.lifted_at ? when(b.lifted_at) : when(b.expires_at));
        cell(row, number(b.counted_calls));
        cell(row, number(b.refused_calls));
        cell(row, number(b.broke_through));
        var review = Siaga.element("button", "btn nz-review-button", _("Review"));
        review.type = "button";
        review.addEventListener("click", function () { openReview(b.id); });
        cell(row, "").appendChild(review);
        body.appendChild(row);
      });
      $("nz-blocks-empty").hidden = blocks.length > 0;
    }).catch(function (error) { $("nz-review-problem").textContent = error.message; });
  }

  function openReview(id) {
    return Siaga.getJSON(API + "/blocks/" + encodeURIComponent(id)).then(function (b) {
      reviewing = b;
      $("nz-review").hidden = false;
      $("nz-review").setAttribute("data-block", b.id);
      $("nz-review-number").textContent = b.caller_number;
      $("nz-review-problem").textContent = "";
      $("nz-review-done").textContent = "";
      var meta = Siaga.format(_("{status}: {counted} counted calls in {days} days; blocked at {at}, until {until}."), {
        status: STATUS[b.status] || b.status, counted: b.counted_calls, days: b.window_days,
        at: when(b.created_at), until: when(b.expires_at)});
      if (b.lifted_at) {
        meta += " " + Siaga.format(_("Lifted by {who} at {at}: {note}"), {
          who: b.lifted_by, at: when(b.lifted_at), note: b.lift_note});
      }
      $("nz-review-meta").textContent = meta;
      var list = $("nz-review-calls");
      list.textContent = "";
      b.calls.forEach(function (call) {
        list.appendChild(Siaga.element("li", null, when(call.received_at) + " · " +
          (DISPOSITIONS[call.disposition] || call.disposition) +
          (call.call_taker ? " · " + call.call_taker : "")));
      });
      var form = $("nz-lift-form");
      if (form) form.hidden = b.status !== "active";
    }).catch(function (error) { $("nz-review-problem").textContent = error.message; });
  }

  function lift(event) {
    event.preventDefault();
    if (!reviewing) return;
    var note = $("nz-lift-note").value.trim();
    if (note.length < 3) {
      $("nz-review-problem").textContent = _("Say why the block is lifted (at least 3 characters).");
      return;
    }
    $("nz-lift").disabled = true;
    Siaga.api("POST", API + "/blocks/" + encodeURIComponent(reviewing.id) + "/lift", {note: note})
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (!response.ok) {
            var error = (data && data.error) || {};
            throw new Error(Siaga.format(_("Not lifted: {error}"), {error: error.message || response.status}));
          }
          $("nz-lift-note").value = "";
          return Promise.all([loadBlocks(), loadNumbers(), openReview(reviewing.id)]).then(function () {
            $("nz-review-done").textContent = _("Block lifted.");
          });
        });
      })
      .catch(function (error) { $("nz-review-problem").textContent = error.message; })
      .then(function () { $("nz-lift").disabled = false; });
  }

  /* --- numbers ------------------------------------------------------------------------- */
  function loadNumbers() {
    return Siaga.getJSON(API + "/numbers").then(function (numbers) {
      var body = $("nz-numbers").querySelector("tbody");
      body.textContent = "";
      numbers.forEach(function (n) {
        var row = Siaga.element("tr");
        cell(row, n.caller_number, "nz-num");
        KINDS.forEach(function (k) { cell(row, number(n[k])); });
        cell(row, when(n.last_at));
        cell(row, n.warned ? _("yes") : "");
        cell(row, n.active_block ? _("yes") : "");
        body.appendChild(row);
      });
      $("nz-numbers-empty").hidden = numbers.length > 0;
    }).catch(function (error) { $("nz-review-problem").textContent = error.message; });
  }

  /* --- the education report ------------------------------------------------------------ */
  function bars(container, rows, label) {
    container.textContent = "";
    var top = 0;
    rows.forEach(function (r) { top = Math.max(top, r.total); });
    rows.forEach(function (r) {
      var line = Siaga.element("div", "nz-row");
      line.setAttribute("data-key", String(label(r, true)));
      line.appendChild(Siaga.element("span", "nz-label", label(r, false)));
      var bar = Siaga.element("span", "nz-bar");
      KINDS.forEach(function (k) {
        if (!r[k] || !top) return;
        var part = Siaga.element("span", "nz-" + k);
        part.style.width = (100 * r[k] / top) + "%";
        part.title = DISPOSITIONS[k] + ": " + r[k];
        bar.appendChild(part);
      });
      line.appendChild(bar);
      line.appendChild(Siaga.element("span", "nz-count", number(r.total)));
      container.appendChild(line);
    });
  }

  function loadReport(event) {
    if (event) event.preventDefault();
    var url = "/api/v1/reports/nuisance?from=" + encodeURIComponent($("nz-from").value) +
      "&to=" + encodeURIComponent($("nz-to").value);
    return Siaga.getJSON(url).then(function (r) {
      var t = r.totals;
      $("nz-totals").textContent = Siaga.format(_("{nuisance} nuisance calls of {answered} answered: {prank} pranks, {silent} silent, {hang_up} hang-ups."), {
        nuisance: number(t.nuisance), answered: number(t.answered), prank: number(t.prank),
        silent: number(t.silent), hang_up: number(t.hang_up)});
      var s = r.screening;
      $("nz-screening").textContent = Siaga.format(_("Screening: {warned} calls warned, {blocked} refused, {through} got through; {emergencies} warned calls were real emergencies."), {
        warned: number(s.warned), blocked: number(s.blocked), through: number(s.broke_through),
        emergencies: number(s.warned_then_emergency)});
      bars($("nz-by-hour"), r.by_hour, function (row, key) {
        return key ? row.hour : (row.hour < 10 ? "0" : "") + row.hour + ":00";
      });
      bars($("nz-by-weekday"), r.by_weekday, function (row, key) {
        return key ? row.weekday : WEEKDAYS[row.weekday];
      });
      bars($("nz-by-kelurahan"), r.by_kelurahan.slice(0, 20), function (row, key) {
        if (key) return row.code || "unknown";
        return row.code ? row.name : _("Unknown");
      });
      $("nz-located").textContent = Siaga.format(_("Kelurahan from the call's chosen location ({chosen}), else from its incident ({incident}); unknown for {unknown}."), {
        chosen: number(r.located_by.chosen_location), incident: number(r.located_by.incident),
        unknown: number(r.located_by.unknown)});
      document.body.setAttribute("data-report-ready", "true");
    }).catch(function (error) { $("nz-totals").textContent = error.message; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("nz-block-filter").addEventListener("change", loadBlocks);
    var form = $("nz-lift-form");
    if (form) form.addEventListener("submit", lift);
    $("nz-period").addEventListener("submit", loadReport);
    Promise.all([loadBlocks(), loadNumbers(), loadReport()]).then(function () {
      document.body.setAttribute("data-nuisance-ready", "true");
    });
    if (Siaga.live) {
      Siaga.live.subscribe(function (msg) {
        if (msg.topic === "nuisance_block" || msg.topic === "hello") {
          loadBlocks();
          loadNumbers();
        }
      });
    }
  });
})();
