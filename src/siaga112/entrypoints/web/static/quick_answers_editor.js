/* Siaga112: the supervisor's quick answers page (quick_answers.html): topics, the editor
   (every save a new version, from the version it started from), history, top topics per week. */
(function () {
  "use strict";
  var _ = Siaga._;
  var page = Siaga.data("siaga-page") || {};
  var KNOWLEDGE = "/api/v1/knowledge";
  var state = {entries: [], current: null, creating: false};

  function $(id) { return document.getElementById(id); }

  function when(iso) {
    return Siaga.formatTime(new Date(iso), page.zone, page.zoneAbbreviation, false);
  }

  function number(value, digits) {
    return new Intl.NumberFormat(page.locale || "id", {
      minimumFractionDigits: digits, maximumFractionDigits: digits}).format(value);
  }

  function problemOf(response, data) {
    var error = (data && data.error) || {};
    return Siaga.format(_("Not saved: {error}"), {error: error.message || response.status});
  }

  /* --- the list of topics ------------------------------------------------------------ */
  function loadList(select) {
    return Siaga.getJSON(KNOWLEDGE + "/entries?retired=true").then(function (entries) {
      state.entries = entries;
      renderList();
      if (select) choose(select);
    }).catch(function (error) { $("qa-problem").textContent = error.message; });
  }

  function renderList() {
    var list = $("qa-list"), filter = $("qa-filter").value.trim().toLowerCase();
    var retired = $("qa-show-retired").checked;
    list.textContent = "";
    state.entries.forEach(function (entry) {
      if (!entry.active && !retired) return;
      var text = (entry.title + " " + entry.code + " " + entry.keywords.join(" ")).toLowerCase();
      if (filter && text.indexOf(filter) < 0) return;
      var item = Siaga.element("li", null);
      var button = Siaga.element("button", null, entry.title);
      button.type = "button";
      button.setAttribute("data-code", entry.code);
      button.setAttribute("aria-current", state.current && state.current.code === entry.code
        ? "true" : "false");
      if (entry.to_check) button.appendChild(Siaga.element("span", "qa-tag", _("to check")));
      if (!entry.active) button.appendChild(Siaga.element("span", "qa-tag is-retired", _("retired")));
      button.addEventListener("click", function () { choose(entry.code); });
      item.appendChild(button);
      list.appendChild(item);
    });
  }

  /* --- the editor ---------------------------------------------------------------------- */
  function referralRow(r) {
    var row = Siaga.element("div", "qa-referral");
    [["name", _("Who (office or service)"), 120], ["phone", _("Phone"), 40], ["place", _("Place or website"), 200],
     ["note", _("Note, e.g. hours"), 200]].forEach(function (f) {
      var input = document.createElement("input");
      input.type = "text";
      input.maxLength = f[2];
      input.placeholder = f[1];
      input.setAttribute("aria-label", f[1]);
      input.setAttribute("data-field", f[0]);
      input.value = (r && r[f[0]]) || "";
      input.disabled = !page.canEdit;
      row.appendChild(input);
    });
    var remove = Siaga.element("button", "btn btn-light btn-small", _("Remove referral"));
    remove.type = "button";
    remove.disabled = !page.canEdit;
    remove.addEventListener("click", function () { row.parentNode.removeChild(row); });
    row.appendChild(remove);
    $("qa-referrals").appendChild(row);
  }

  function fill(entry) {
    $("qa-none").hidden = true;
    $("qa-form").hidden = false;
    $("qa-code").value = entry ? entry.code : "";
    $("qa-code").readOnly = !!entry;
    $("qa-title").value = entry ? entry.title : "";
    $("qa-question").value = entry ? entry.question : "";
    $("qa-answer").value = entry ? entry.answer : "";
    $("qa-keywords").value = entry ? entry.keywords.join(", ") : "";
    $("qa-source").value = entry && entry.source ? entry.source : "";
    $("qa-to-check").checked = entry ? entry.to_check : false;
    $("qa-active").checked = entry ? entry.active : true;
    $("qa-note").value = "";
    $("qa-referrals").textContent = "";
    (entry ? entry.referrals : []).forEach(referralRow);
    if (!entry) referralRow(null);
    $("qa-problem").textContent = "";
    var editable = ["qa-title", "qa-question", "qa-answer", "qa-keywords", "qa-source",
                    "qa-to-check", "qa-active", "qa-note", "qa-add-referral"];
    editable.forEach(function (id) { $(id).disabled = !page.canEdit; });
  }

  function showMeta(entry) {
    $("qa-meta").textContent = entry ? Siaga.format(_("Version {version}, by {who}, {when}"),
      {version: entry.version, who: entry.edited_by, when: when(entry.edited_at)}) : _("New topic");
  }

  function choose(code) {
    $("qa-saved").textContent = "";
    return Siaga.getJSON(KNOWLEDGE + "/entries/" + encodeURIComponent(code))
      .then(function (entry) {
        state.current = entry;
        state.creating = false;
        fill(entry);
        showMeta(entry);
        renderList();
        return loadHistory(code);
      }).catch(function (error) { $("qa-problem").textContent = error.message; });
  }

  function loadHistory(code) {
    var list = $("qa-history");
    return Siaga.getJSON(KNOWLEDGE + "/entries/" + encodeURIComponent(code) + "/versions")
      .then(function (versions) {
        list.textContent = "";
        versions.forEach(function (v) {
          var item = Siaga.element("li", null);
          item.setAttribute("data-version", v.version);
          item.appendChild(Siaga.element("strong", null, Siaga.format(_("Version {version}"),
                                                                       {version: v.version})));
          item.appendChild(document.createTextNode(" · " + when(v.edited_at) + " · " + v.edited_by));
          var detail = Siaga.element("div", "qa-muted", v.title + (v.active ? "" : " (" + _("retired") + ")")
            + (v.note ? " · " + v.note : ""));
          item.appendChild(detail);
          if (page.canEdit && state.current && v.version !== state.current.version) {
            var restore = Siaga.element("button", "btn btn-light btn-small",
                                        _("Put this version in the form"));
            restore.type = "button";
            restore.addEventListener("click", function () {
              fill(Object.assign({}, v, {code: state.current.code}));
              $("qa-note").value = Siaga.format(_("Back to version {version}"), {version: v.version});
            });
            item.appendChild(restore);
          }
          list.appendChild(item);
        });
      });
  }

  function collect() {
    var referrals = [];
    var rows = $("qa-referrals").querySelectorAll(".qa-referral");
    for (var i = 0; i < rows.length; i++) {
      var r = {};
      var inputs = rows[i].querySelectorAll("input");
      for (var j = 0; j < inputs.length; j++) {
        r[inputs[j].getAttribute("data-field")] = inputs[j].value.trim() || null;
      }
      if (r.name || r.phone || r.place || r.note) referrals.push(r);
    }
    return {
      title: $("qa-title").value, question: $("qa-question").value, answer: $("qa-answer").value,
      referrals: referrals,
      keywords: $("qa-keywords").value.split(",").map(function (k) { return k.trim(); })
        .filter(Boolean),
      source: $("qa-source").value.trim() || null, to_check: $("qa-to-check").checked,
      active: $("qa-active").checked, note: $("qa-note").value.trim() || null
    };
  }

  function save(event) {
    event.preventDefault();
    if (!page.canEdit) return;
    var body = collect(), url = KNOWLEDGE + "/entries", method = "POST";
    if (state.creating) {
      body.code = $("qa-code").value.trim();
    } else if (state.current) {
      url += "/" + encodeURIComponent(state.current.code);
      method = "PUT";
      body.base_version = state.current.version;
    } else {
      return;
    }
    $("qa-problem").textContent = "";
    $("qa-saved").textContent = "";
    $("qa-save").disabled = true;
    Siaga.api(method, url, body).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { $("qa-problem").textContent = problemOf(response, data); return null; }
        return loadList(data.code).then(function () {
          $("qa-saved").textContent = Siaga.format(_("Saved as version {version}."),
                                                   {version: data.version});
        });
      });
    }).catch(function (error) { $("qa-problem").textContent = error.message; })
      .then(function () { $("qa-save").disabled = false; });
  }

  function startNew() {
    state.current = null;
    state.creating = true;
    fill(null);
    showMeta(null);
    $("qa-history").textContent = "";
    $("qa-saved").textContent = "";
    renderList();
    $("qa-code").focus();
  }

  /* --- top topics per week ------------------------------------------------------------- */
  function minutes(seconds) { return number(seconds / 60, 1); }

  function loadWeeks(event) {
    if (event) event.preventDefault();
    var query = "?from=" + encodeURIComponent($("qa-from").value) + "&to="
      + encodeURIComponent($("qa-to").value);
    $("qa-weeks-problem").textContent = "";
    Siaga.api("GET", KNOWLEDGE + "/topics/weekly" + query).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          $("qa-weeks-problem").textContent = (data.error && data.error.message) || response.status;
          return;
        }
        renderWeeks(data.weeks);
      });
    }).catch(function (error) { $("qa-weeks-problem").textContent = error.message; });
  }

  function cell(row, text, numeric) {
    var td = Siaga.element("td", numeric ? "num" : null, text);
    row.appendChild(td);
  }

  function renderWeeks(weeks) {
    var box = $("qa-weeks");
    box.textContent = "";
    weeks.slice().reverse().forEach(function (week) {
      var table = Siaga.element("table", null);
      table.setAttribute("data-week", week.week);
      table.appendChild(Siaga.element("caption", null, Siaga.format(
        _("Week of {monday}: {answered} answered calls, {talk} min of talk; {questions} question calls with a topic, {question_talk} min"),
        {monday: week.week, answered: week.answered, talk: minutes(week.talk_seconds),
         questions: week.question_calls, question_talk: minutes(week.question_talk_seconds)})));
      var head = Siaga.element("tr", null);
      [[_("Topic title"), false], [_("Calls"), true], [_("Call-taker time (min)"), true],
       [_("Mean per call (s)"), true], [_("Share of all talk time"), true]].forEach(function (h) {
        head.appendChild(Siaga.element("th", h[1] ? "num" : null, h[0]));
      });
      var thead = Siaga.element("thead", null);
      thead.appendChild(head);
      table.appendChild(thead);
      var body = Siaga.element("tbody", null);
      week.topics.forEach(function (t) {
        var row = Siaga.element("tr", null);
        row.setAttribute("data-topic", t.code);
        cell(row, t.title, false);
        cell(row, t.calls, true);
        cell(row, minutes(t.talk_seconds), true);
        cell(row, number(t.mean_talk_seconds, 0), true);
        cell(row, t.share_of_talk === null ? "–" : number(t.share_of_talk * 100, 1) + " %", true);
        body.appendChild(row);
      });
      if (!week.topics.length) {
        var empty = Siaga.element("tr", null);
        var td = Siaga.element("td", "qa-muted", _("No question calls with a topic this week."));
        td.colSpan = 5;
        empty.appendChild(td);
        body.appendChild(empty);
      }
      table.appendChild(body);
      box.appendChild(table);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("qa-filter").addEventListener("input", renderList);
    $("qa-show-retired").addEventListener("change", renderList);
    $("qa-form").addEventListener("submit", save);
    $("qa-add-referral").addEventListener("click", function () { referralRow(null); });
    if ($("qa-new")) $("qa-new").addEventListener("click", startNew);
    var today = new Date(page.today + "T00:00:00Z");
    var from = new Date(today.getTime() - ((today.getUTCDay() + 6) % 7 + 7 * 7) * 86400000);
    $("qa-from").value = from.toISOString().slice(0, 10);
    $("qa-to").value = page.today;
    $("qa-weeks-form").addEventListener("submit", loadWeeks);
    loadList();
    loadWeeks();
  });
})();
