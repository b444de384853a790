/* Siaga112: the consoles' live channel. Load after common.js.
   Siaga.live.subscribe(fn) calls fn(msg) for every message from /ws/live:
     {topic, event, id, at, state}: something changed; re-read it from the API;
     {topic: "hello"}: (re)connected; reload everything shown (messages may have been missed).
   The socket reconnects by itself (1 s, doubling to 15 s). Elements with a data-live-status
   attribute show the connection's state. */
(function () {
  "use strict";
  var _ = Siaga._;
  var handlers = [];
  var socket = null, delay = 1000, MAX_DELAY = 15000;

  function showState(connected) {
    var nodes = document.querySelectorAll("[data-live-status]");
    for (var i = 0; i < nodes.length; i++) {
      nodes[i].setAttribute("data-live-status", connected ? "on" : "off");
      nodes[i].textContent = connected ? _("Live") : _("Reconnecting…");
      nodes[i].className = "live-status " + (connected ? "live-on" : "live-off");
    }
  }

  function dispatch(msg) {
    for (var i = 0; i < handlers.length; i++) {
      try { handlers[i](msg); } catch (err) { window.setTimeout(function () { throw err; }); }
    }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + "/ws/live");
    socket.onopen = function () { delay = 1000; showState(true); };
    socket.onmessage = function (event) {
      var msg;
      try { msg = JSON.parse(event.data); } catch (err) { return; }
      dispatch(msg);
    };
    socket.onclose = function () {
      socket = null;
      showState(false);
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, MAX_DELAY);
    };
  }

  function subscribe(fn) {
    handlers.push(fn);
    if (socket === null) connect();
  }

  function connected() {
    return socket !== null && socket.readyState === 1;
  }

  Siaga.live = {subscribe: subscribe, connected: connected};
})();
