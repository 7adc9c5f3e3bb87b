// yomiage page enhancements. Every page works without this file; it adds:
// glossary disclosures, playback speed, keyboard shortcuts on the player, and the spoken-sentence highlight.
"use strict";

function enhanceTerms() {
  document.querySelectorAll("a.term").forEach(function (link) {
    var cue = link.closest(".s");
    var def = document.getElementById("def-" + (cue ? cue.dataset.cue : "") + "-" + link.dataset.term);
    if (!def) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "term";
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", def.id);
    button.innerHTML = link.innerHTML;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") === "true";
      button.setAttribute("aria-expanded", open ? "false" : "true");
      def.hidden = open;
    });
    link.replaceWith(button);
  });
}

function enhancePlayer() {
  var player = document.querySelector(".player");
  if (!player) return;
  var audio = player.querySelector("audio");
  var speeds = player.querySelector(".speeds");
  var cues = [];
  var current = null;

  function showSpeed() {
    // NOTE: also when the rate is changed elsewhere (the browser's own menu): the buttons say what plays
    var rate = audio.playbackRate;
    speeds.querySelectorAll("button").forEach(function (b) {
      b.setAttribute("aria-pressed", Math.abs(parseFloat(b.dataset.speed) - rate) < 0.001 ? "true" : "false");
    });
    try { localStorage.setItem("yomiage-speed", String(rate)); } catch (e) { /* private mode */ }
  }
  function setSpeed(rate) {
    audio.playbackRate = rate;
    showSpeed();
  }
  audio.addEventListener("ratechange", showSpeed);
  speeds.hidden = false;
  speeds.querySelectorAll("button").forEach(function (b) {
    b.addEventListener("click", function () { setSpeed(parseFloat(b.dataset.speed)); });
  });
  try {
    var saved = parseFloat(localStorage.getItem("yomiage-speed"));
    if (saved) setSpeed(saved);
  } catch (e) { /* ignore */ }

  function highlight() {
    var t = audio.currentTime;
    var cue = null;
    for (var i = 0; i < cues.length; i++) {
      if (cues[i].start <= t && t < cues[i].end + 0.3) { cue = cues[i]; break; }
    }
    var id = cue ? "c-" + cue.id : null;
    if (id === current) return;
    if (current) { var old = document.getElementById(current); if (old) old.classList.remove("speaking"); }
    current = id;
    if (id) {
      var el = document.getElementById(id);
      if (el) { el.classList.add("speaking"); if (!audio.paused) follow(el); }
    }
  }

  // Keep the spoken sentence in view, unless the reader is scrolling the page themselves.
  var userScrolled = 0;
  ["wheel", "touchmove"].forEach(function (name) {
    window.addEventListener(name, function () { userScrolled = Date.now(); }, { passive: true });
  });
  window.addEventListener("keydown", function (event) {
    if (["PageUp", "PageDown", "Home", "End", "ArrowUp", "ArrowDown", " "].indexOf(event.key) >= 0 &&
        !player.contains(event.target)) userScrolled = Date.now();
  });
  var still = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;
  function follow(el) {
    if (Date.now() - userScrolled < 4000) return;
    var box = el.getBoundingClientRect();
    var margin = window.innerHeight * 0.15;
    if (box.top >= margin && box.bottom <= window.innerHeight - margin) return;
    el.scrollIntoView({ block: "center", behavior: still && still.matches ? "auto" : "smooth" });
  }
  fetch(player.dataset.timing).then(function (r) { return r.ok ? r.json() : null; }).then(function (timing) {
    if (!timing) return;
    cues = timing.cues;
    // timeupdate comes only every 250 ms or so; while playing, follow every frame so the
    // highlight moves with the voice, not up to a quarter of a second behind it.
    var frame = 0;
    function tick() { highlight(); frame = audio.paused ? 0 : requestAnimationFrame(tick); }
    audio.addEventListener("play", function () { if (!frame) frame = requestAnimationFrame(tick); });
    ["timeupdate", "seeked", "ended"].forEach(function (name) { audio.addEventListener(name, highlight); });
    highlight();
  }).catch(function () { /* highlighting is an extra */ });

  // Continuous listening: at the end of a section, go on to the next one and keep playing.
  var continuous = document.getElementById("continuous");
  var next = document.querySelector("a[rel=next]");
  var status = player.querySelector(".player-status");
  if (continuous && next) {
    continuous.closest(".continuous").hidden = false;
    try { continuous.checked = localStorage.getItem("yomiage-continue") === "1"; } catch (e) { /* ignore */ }
    continuous.addEventListener("change", function () {
      try { localStorage.setItem("yomiage-continue", continuous.checked ? "1" : "0"); } catch (e) { /* ignore */ }
    });
    audio.addEventListener("ended", function () {
      if (!continuous.checked) return;
      try { sessionStorage.setItem("yomiage-play-on-arrival", "1"); } catch (e) { /* ignore */ }
      window.location.href = next.href;
    });
  }
  var arrived = false;
  try {
    arrived = sessionStorage.getItem("yomiage-play-on-arrival") === "1";
    sessionStorage.removeItem("yomiage-play-on-arrival");
  } catch (e) { /* ignore */ }
  if (arrived) {
    var started = audio.play();
    if (started && started.catch) {
      started.catch(function () {
        // The browser may refuse to start sound by itself: say so, and put the player within reach.
        status.textContent = "この節は自動では再生できませんでした。再生ボタンを押してください。";
        audio.focus();
      });
    }
  }

  function jumpSentence(step) {
    var t = audio.currentTime;
    var index = cues.findIndex(function (c) { return c.start <= t && t < c.end + 0.3; });
    if (index < 0) index = cues.findIndex(function (c) { return c.start > t; }) - (step > 0 ? 1 : 0);
    var target = cues[Math.max(0, Math.min(cues.length - 1, index + step))];
    if (target) audio.currentTime = target.start;
  }
  var rates = [0.75, 1, 1.25, 1.5];
  player.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.target.tagName === "SELECT") return;
    var key = event.key.toLowerCase();
    var handled = true;
    if (key === "k") { if (audio.paused) audio.play(); else audio.pause(); }
    else if (key === "j") audio.currentTime = Math.max(0, audio.currentTime - 5);
    else if (key === "l") audio.currentTime = audio.currentTime + 5;
    else if (key === "n") jumpSentence(1);
    else if (key === "p") jumpSentence(-1);
    else if (key === "]") {
      // NOTE: the next step up from whatever plays now (a rate set in the browser's menu may be off the list)
      var faster = rates.filter(function (r) { return r > audio.playbackRate + 0.001; });
      if (faster.length) setSpeed(faster[0]);
    } else if (key === "[") {
      var slower = rates.filter(function (r) { return r < audio.playbackRate - 0.001; });
      if (slower.length) setSpeed(slower[slower.length - 1]);
    } else handled = false;
    if (handled) event.preventDefault();
  });
}

document.addEventListener("DOMContentLoaded", function () {
  enhanceTerms();
  enhancePlayer();
});
