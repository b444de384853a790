/* The supervisor's wallboard: GET /api/v1/wallboard, re-read on every live message about
   calls, positions and incidents; the longest wait ticks on between two readings. */
(function () {
  "use strict";
  var _ = Siaga._, K = Siaga.kit, el = K.el, page = K.page;
  var POSITION_STATE = [
    ["ready", _("Ready")], ["ringing", _("Ringing")], ["on_call", _("On a call")],
    ["wrap_up", _("Wrap-up")], ["not_ready", _("Not ready")], ["logged_out", _("Logged out")]
  ];
  var seconds = page.serviceLevelSeconds || [15, 20];
  var figures = null;
  var statusLine = document.getElementById("wb-status");

  K.startClock(document.getElementById("clock"));

  function set(id, text) {
    var node = document.getElementById(id);
    if (node) node.textContent = text;
    return node;
  }

  function mark(node, level) {
    if (!node) return;
    node.classList.remove("is-good", "is-warn", "is-bad");
    if (level) node.classList.add("is-" + level);
  }

  /* The oldest waiting call, by the server's clock: it keeps ticking between readings. */
  function paintLongest() {
    if (!figures) return;
    var oldest = figures.queue.oldest_received_at;
    var wait = oldest ? K.since(oldest) : null;
    var node = set("wb-longest", wait === null ? "–" : K.duration(wait));
    mark(node, wait === null ? null : wait > seconds[seconds.length - 1] ? "bad"
                                     : wait > seconds[0] ? "warn" : "good");
  }

  function draw(data) {
    figures = data;
    var today = data.today;
    mark(set("wb-waiting", K.number(data.queue.waiting)), data.queue.waiting ? "warn" : "good");
    paintLongest();
    seconds.forEach(function (s) {
      var share = today.answered_within[String(s)];
      var node = set("wb-sl-" + s, K.percent(share));
      var meets = today.meets_target[String(s)];
      mark(node, meets === null || meets === undefined ? null : meets ? "good" : "bad");
      set("wb-sl-" + s + "-target", Siaga.format(_("target {share} · {offered} calls offered"), {
        share: K.percent(today.targets[String(s)]), offered: K.number(today.offered)}));
    });
    set("wb-abandon", K.percent(today.abandonment_rate));
    set("wb-abandon-count", Siaga.format(_("{count} of {offered} offered"), {
      count: K.number(today.abandoned_in_queue), offered: K.number(today.offered)}));
    set("wb-prank", K.percent(today.prank_silent_share));
    set("wb-prank-count", Siaga.format(_("{prank} prank · {silent} silent · of {answered} answered"), {
      prank: K.number(today.prank), silent: K.number(today.silent),
      answered: K.number(today.answered)}));
    set("wb-calls", K.number(today.calls));
    set("wb-answered", K.number(today.answered));
    set("wb-abandoned", K.number(today.abandoned_in_queue));

    var positions = document.getElementById("wb-positions");
    positions.replaceChildren();
    POSITION_STATE.forEach(function (p) {
      var pair = el("div", "wb-position wb-position--" + p[0]);
      pair.dataset.state = p[0];
      pair.appendChild(el("dt", null, p[1]));
      pair.appendChild(el("dd", null, K.number(data.positions[p[0]] || 0)));
      positions.appendChild(pair);
    });

    set("wb-incidents-open", K.number(data.incidents.open));
    var types = document.getElementById("wb-incident-types");
    types.replaceChildren();
    data.incidents.by_type.forEach(function (t) {
      var item = el("li", "wb-type");
      item.dataset.type = t.type;
      item.appendChild(el("span", "wb-type-name", K.label(page.incidentTypes || {}, t.type)));
      item.appendChild(el("span", "wb-type-count", K.number(t.count)));
      types.appendChild(item);
    });
    if (!data.incidents.by_type.length) types.appendChild(el("li", "board-empty", _("No open incident.")));
    K.showStatus(statusLine, "");
    document.body.dataset.wallboardReady = "true";
  }

  function load() {
    return Siaga.getJSON("/api/v1/wallboard").then(draw);
  }

  /* The center's day now (YYYY-MM-DD in its zone): at midnight "today" starts again. */
  var dayFormat = new Intl.DateTimeFormat("en-CA", {timeZone: page.zone, year: "numeric",
                                                    month: "2-digit", day: "2-digit"});
  function newDay() {
    return figures !== null && dayFormat.format(new Date(K.now())) !== figures.day;
  }

  var refresh = K.follow(load, {
    topics: ["call", "position", "incident"], fallbackMs: 10000,
    onError: function (err) { K.showStatus(statusLine, err.message, true); }
  });
  window.setInterval(function () {
    paintLongest();
    if (newDay()) refresh();
  }, 1000);
})();
