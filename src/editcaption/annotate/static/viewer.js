// Pair viewer: side by side, blink, swipe, heatmap overlay, and zoom/pan shared by every pane.
(function () {
  "use strict";
  var viewer = document.getElementById("viewer");
  if (!viewer) return;
  var $ = function (sel) { return viewer.querySelector(sel); };
  var $$ = function (sel) { return Array.prototype.slice.call(viewer.querySelectorAll(sel)); };

  var state = { mode: "side", showing: "target", swipe: 50, heat: false, k: 1, x: 0, y: 0 };
  var heatAvailable = viewer.getAttribute("data-heatmap-available") === "yes";
  var base = viewer.getAttribute("data-base");
  var autoBlink = null;

  // Every frame gets the target's aspect ratio, so the zoom state (in fractions of a frame)
  // means the same place in every pane.
  var tw = Number(viewer.getAttribute("data-target-w")) || 4, th = Number(viewer.getAttribute("data-target-h")) || 3;
  $$(".frame").forEach(function (f) { f.style.aspectRatio = tw + " / " + th; });
  viewer.style.setProperty("--frame-ratio", String(tw / th));  // the CSS caps a single pane's height with it

  // The zoom that shows the target at its natural size: one image pixel per screen pixel. The
  // image fills the frame's width at zoom 1 (the frame has the target's aspect ratio).
  function nativeZoom() {
    var frame = $$(".frame").filter(function (f) { return f.clientWidth > 0; })[0];
    var img = $(".layer.over") && !$("#pane-overlay").hidden ? $(".layer.over") : $("#pane-target .layer");
    var natural = (img && img.naturalWidth) || tw;
    return frame ? natural / (window.devicePixelRatio || 1) / frame.clientWidth : 1;
  }
  function minZoom() { return Math.min(1, state.native || 1); }

  // At zoom k >= 1 the view pans within the image; below 1 (1:1 of a small image) it stays inside the frame.
  function clampView() {
    state.k = Math.min(16, Math.max(minZoom(), state.k));
    var lo = Math.min(0, 1 - state.k), hi = Math.max(0, 1 - state.k);
    state.x = Math.min(hi, Math.max(lo, state.x));
    state.y = Math.min(hi, Math.max(lo, state.y));
  }

  function render() {
    var overlay = state.mode !== "side";
    $("#pane-source").hidden = overlay;
    $("#pane-target").hidden = overlay;
    $("#pane-overlay").hidden = !overlay;
    $("#swipe-control").hidden = state.mode !== "swipe";
    var over = $(".layer.over"), divider = $(".divider"), caption = $("#overlay-caption");
    if (state.mode === "blink") {
      over.hidden = state.showing === "source";
      over.style.clipPath = "none";
      divider.hidden = true;
      caption.textContent = state.showing === "source" ? "Source (blink)" : "Target (blink)";
    } else if (state.mode === "swipe") {
      over.hidden = false;
      over.style.clipPath = "inset(0 0 0 " + state.swipe + "%)";
      divider.hidden = false;
      divider.style.left = state.swipe + "%";
      caption.textContent = "Source ◀ swipe ▶ Target";
    }
    $$(".layer.heat").forEach(function (img) {
      var inUse = state.heat && (overlay ? img.closest("#pane-overlay") : img.closest("#pane-target"));
      if (inUse && !img.getAttribute("src")) img.setAttribute("src", base + "/heatmap");
      img.hidden = !inUse;
    });
    clampView();
    var t = "translate(" + (state.x * 100) + "%, " + (state.y * 100) + "%) scale(" + state.k + ")";
    $$(".zoom").forEach(function (z) { z.style.transform = t; });
    $("#zoom-level").textContent = Math.round(state.k * 100) + "%";
    $("#swipe").value = String(state.swipe);
    $$("[data-mode-button]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-mode-button") === state.mode));
    });
    $("#heat-toggle").setAttribute("aria-pressed", String(state.heat));
    viewer.setAttribute("data-mode", state.mode);
    viewer.setAttribute("data-showing", state.showing);
    viewer.setAttribute("data-swipe", String(state.swipe));
    viewer.setAttribute("data-heat", state.heat ? "on" : "off");
    viewer.setAttribute("data-zoom", state.k.toFixed(3) + "," + state.x.toFixed(3) + "," + state.y.toFixed(3));
    var words = { side: "side by side", blink: "blink: showing " + state.showing, swipe: "swipe at " + state.swipe + "%" };
    $("#view-state").textContent = words[state.mode] + (state.heat ? " · heatmap" : "") + (autoBlink ? " · auto" : "");
  }

  function setMode(mode) { state.mode = mode; render(); }
  function blink() {
    if (state.mode !== "blink") { state.mode = "blink"; state.showing = "source"; }
    else state.showing = state.showing === "source" ? "target" : "source";
    render();
  }
  function toggleAutoBlink() {
    if (autoBlink) { clearInterval(autoBlink); autoBlink = null; render(); return; }
    if (state.mode !== "blink") { state.mode = "blink"; }
    autoBlink = setInterval(function () { state.showing = state.showing === "source" ? "target" : "source"; render(); }, 500);
    render();
  }
  function moveSwipe(delta) {
    if (state.mode !== "swipe") state.mode = "swipe";
    state.swipe = Math.min(100, Math.max(0, state.swipe + delta));
    render();
  }
  function toggleHeat() {
    if (!heatAvailable) return;
    state.heat = !state.heat;
    render();
  }
  // Zoom by `factor` keeping the point (u, v) of the frame (fractions) where it is.
  function zoomAt(factor, u, v) {
    var k2 = Math.min(16, Math.max(minZoom(), state.k * factor));
    state.x = u - (k2 / state.k) * (u - state.x);
    state.y = v - (k2 / state.k) * (v - state.y);
    state.k = k2;
    render();
  }
  function pan(dx, dy) { state.x += dx; state.y += dy; render(); }
  function resetZoom() { state.native = null; state.k = 1; state.x = 0; state.y = 0; render(); }
  function nativeSize() {
    state.native = nativeZoom();
    state.k = state.native;
    state.x = state.y = (1 - state.k) / 2;  // centred
    render();
    viewer.setAttribute("data-native", state.native.toFixed(4));
  }

  $$("[data-mode-button]").forEach(function (b) {
    b.addEventListener("click", function () { setMode(b.getAttribute("data-mode-button")); });
  });
  $("#heat-toggle").addEventListener("click", toggleHeat);
  $("#zoom-in").addEventListener("click", function () { zoomAt(1.25, 0.5, 0.5); });
  $("#zoom-out").addEventListener("click", function () { zoomAt(0.8, 0.5, 0.5); });
  $("#zoom-reset").addEventListener("click", resetZoom);
  $("#zoom-native").addEventListener("click", nativeSize);
  $("#swipe").addEventListener("input", function (ev) { state.swipe = Number(ev.target.value); render(); });

  $$(".frame").forEach(function (frame) {
    frame.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var r = frame.getBoundingClientRect();
      zoomAt(ev.deltaY < 0 ? 1.15 : 1 / 1.15, (ev.clientX - r.left) / r.width, (ev.clientY - r.top) / r.height);
    }, { passive: false });
    var drag = null;
    frame.addEventListener("pointerdown", function (ev) {
      drag = { x: ev.clientX, y: ev.clientY, w: frame.clientWidth, h: frame.clientHeight };
      frame.setPointerCapture(ev.pointerId);
      frame.classList.add("dragging");
    });
    frame.addEventListener("pointermove", function (ev) {
      if (!drag) return;
      pan((ev.clientX - drag.x) / drag.w, (ev.clientY - drag.y) / drag.h);
      drag.x = ev.clientX; drag.y = ev.clientY;
    });
    var stop = function () { drag = null; frame.classList.remove("dragging"); };
    frame.addEventListener("pointerup", stop);
    frame.addEventListener("pointercancel", stop);
  });

  var S = window.Studio, G = "Viewer";
  S.bind("s", G, "Side by side", function () { setMode("side"); });
  S.bind("b", G, "Blink: switch between source and target", blink);
  S.bind("Shift+B", G, "Blink automatically (on/off)", toggleAutoBlink);
  S.bind("w", G, "Swipe mode", function () { setMode("swipe"); });
  S.bind(["[", "]"], G, "Move the swipe divider left / right", function (ev) { moveSwipe(ev.key === "[" ? -5 : 5); });
  S.bind("h", G, "Difference heatmap on/off", toggleHeat);
  S.bind(["+", "="], G, "Zoom in (all panes)", function () { zoomAt(1.25, 0.5, 0.5); });
  S.bind("-", G, "Zoom out", function () { zoomAt(0.8, 0.5, 0.5); });
  S.bind("z", G, "Fit the frame (reset zoom)", resetZoom);
  S.bind("Shift+Z", G, "1:1: the target at its natural size", nativeSize);
  S.bind(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown"], G, "Pan the zoomed view", function (ev) {
    var step = 0.1;
    pan(ev.key === "ArrowLeft" ? step : ev.key === "ArrowRight" ? -step : 0,
        ev.key === "ArrowUp" ? step : ev.key === "ArrowDown" ? -step : 0);
  });
  render();
})();
