/* Siaga112: the caller's location page (/l/<token>). Plain ES5, no modules, no fetch, no
   Promise: it must run on old Android browsers over a weak signal. Words come from the
   page's JSON block (#siaga-messages), written here as _("English text") for pybabel.
   It posts to the page's own address: <page>/status, /position and /photo. */
(function () {
  "use strict";

  function data(id) {
    var el = document.getElementById(id);
    try { return el ? JSON.parse(el.textContent || el.innerHTML) : null; } catch (e) { return null; }
  }

  var messages = data("siaga-messages") || {};
  var page = data("siaga-page") || {};
  var base = window.location.pathname.replace(/\/+$/, "");
  var shareMs = (page.shareSeconds || 60) * 1000;
  var MIN_GAP_MS = 4000;  // one position every few seconds is plenty for a map

  function _(msgid) {
    return Object.prototype.hasOwnProperty.call(messages, msgid) ? messages[msgid] : msgid;
  }

  function format(text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  function post(path, body, done) {
    var xhr = new XMLHttpRequest();
    xhr.open("POST", base + path, true);
    xhr.setRequestHeader("Content-Type", "application/json");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.timeout = 20000;
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4) return;
      if (done) done(xhr.status);
      done = null;
    };
    xhr.ontimeout = function () { if (done) done(0); done = null; };
    xhr.send(JSON.stringify(body));
  }

  var button = document.getElementById("share");
  var statusEl = document.getElementById("status");
  var watchId = null, stopTimer = null, sent = 0, busy = false, waiting = null;
  var lastSentAt = 0, lastAccuracy = null, over = false;

  function show(el, text, kind) {
    el.textContent = text;
    el.className = "status " + (kind || "");
  }

  function stopWatching() {
    if (watchId !== null && navigator.geolocation) navigator.geolocation.clearWatch(watchId);
    watchId = null;
    if (stopTimer !== null) clearTimeout(stopTimer);
    stopTimer = null;
  }

  function linkGone() {
    over = true;
    stopWatching();
    button.disabled = true;
    show(statusEl, _("This link can no longer be used. If you still need help, tell the call-taker or call 112 again."), "error");
  }

  function report(status) {
    post("/status", {status: status}, function (code) {
      if (code === 404 || code === 410) linkGone();
    });
  }

  function worthSending(position, now) {
    if (!sent) return true;
    var accuracy = position.coords.accuracy;
    if (now - lastSentAt >= MIN_GAP_MS) return true;
    return lastAccuracy !== null && accuracy < lastAccuracy * 0.66;  // much better: at once
  }

  function send(position) {
    if (over) return;
    var now = new Date().getTime();
    if (busy) { waiting = position; return; }
    if (!worthSending(position, now)) return;
    var c = position.coords;
    busy = true;
    post("/position", {
      lat: c.latitude, lon: c.longitude, accuracy: c.accuracy, timestamp: position.timestamp,
      altitude: c.altitude, altitude_accuracy: c.altitudeAccuracy,
      heading: isNaN(c.heading) ? null : c.heading, speed: isNaN(c.speed) ? null : c.speed
    }, function (code) {
      busy = false;
      if (code === 200) {
        sent += 1;
        lastSentAt = now;
        lastAccuracy = c.accuracy;
        show(statusEl, format(_("Location sent (within {metres} m). Stay on the line."),
                              {metres: Math.round(c.accuracy)}), "ok");
      } else if (code === 404 || code === 410) {
        linkGone();
        return;
      } else if (code === 429) {
        finish();
        return;
      } else {
        show(statusEl, _("The location could not be sent: the signal may be weak. Trying again..."), "warn");
      }
      if (waiting) { var next = waiting; waiting = null; send(next); }
    });
  }

  function failed(error) {
    if (over) return;
    var code = error && error.code;
    if (sent > 0 && code !== 1) return;  // positions are flowing: a late hiccup is no news
    stopWatching();
    button.disabled = false;
    if (code === 1) {
      report("denied");
      show(statusEl, _("You did not allow the location. That is all right: tell the call-taker where you are. To try again, allow location for this page in the browser's settings, then press the button again."), "error");
    } else if (code === 3) {
      report("timeout");
      show(statusEl, _("Finding your position takes too long. Go outside or near a window and press the button again, or tell the call-taker where you are."), "warn");
    } else {
      report("unavailable");
      show(statusEl, _("Your phone could not find its position (location or GPS may be off). Turn location on and press the button again, or tell the call-taker where you are."), "warn");
    }
  }

  function finish() {
    stopWatching();
    if (over) return;
    over = true;
    button.disabled = true;
    if (sent > 0) {
      report("done");
      show(statusEl, _("Done: your location was sent. Thank you. Stay on the line with the call-taker."), "ok");
    } else {
      over = false;
      button.disabled = false;
      report("timeout");
      show(statusEl, _("Finding your position takes too long. Go outside or near a window and press the button again, or tell the call-taker where you are."), "warn");
    }
  }

  function start() {
    if (!navigator.geolocation) {
      report("unsupported");
      show(statusEl, _("This browser cannot share a location. Please tell the call-taker where you are."), "error");
      return;
    }
    button.disabled = true;
    show(statusEl, _("Asking your phone for its position..."), "");
    watchId = navigator.geolocation.watchPosition(send, failed,
      {enableHighAccuracy: true, maximumAge: 0, timeout: 30000});
    stopTimer = setTimeout(finish, shareMs);
  }

  /* The photo (only where the center takes them): shrunk on the phone with a canvas,
     which also leaves the file's hidden data behind; the server re-encodes it again. */
  function setUpPhoto() {
    var input = document.getElementById("photo");
    var photoStatus = document.getElementById("photo-status");
    if (!input || !page.photo) return;
    if (!window.FileReader || !document.createElement("canvas").getContext) {
      input.disabled = true;
      show(photoStatus, _("This browser cannot send a photo."), "warn");
      return;
    }
    input.onchange = function () {
      var file = input.files && input.files[0];
      if (!file) return;
      if (!/^image\//.test(file.type || "")) {
        show(photoStatus, _("Please choose a photo (an image)."), "error");
        return;
      }
      show(photoStatus, _("Sending the photo..."), "");
      var reader = new FileReader();
      reader.onload = function () {
        var img = new Image();
        img.onload = function () { upload(img); };
        img.onerror = function () { show(photoStatus, _("The photo could not be read."), "error"); };
        img.src = reader.result;
      };
      reader.readAsDataURL(file);
    };

    function upload(img) {
      var side = page.photoMaxSide || 1280;
      var scale = Math.min(1, side / Math.max(img.width, img.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(img.width * scale));
      canvas.height = Math.max(1, Math.round(img.height * scale));
      canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
      var url = canvas.toDataURL("image/jpeg", 0.8);
      if (url.length * 0.75 > page.photoMaxBytes) url = canvas.toDataURL("image/jpeg", 0.5);
      post("/photo", {image: url}, function (code) {
        if (code === 200) {
          input.disabled = true;
          show(photoStatus, _("Photo sent. Thank you."), "ok");
        } else {
          show(photoStatus, _("The photo could not be sent."), "error");
        }
      });
    }
  }

  button.onclick = start;
  setUpPhoto();
  report("opened");
})();
