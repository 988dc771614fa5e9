/* Heute and Anrufliste: confirmations, one submit per tap, the lead's coach selector and
   the offline tour map (Leaflet from /static/vendor/leaflet, no tiles). Every form also
   works without this file. */
(function () {
  "use strict";

  // A case-closing outcome asks once more: a slip of the thumb must not close a case.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-confirm]") : null;
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // A second tap while the first is on its way would record the outcome twice.
  var forms = document.querySelectorAll("form[data-once]");
  for (var i = 0; i < forms.length; i++) {
    forms[i].addEventListener("submit", function (event) {
      var form = event.currentTarget;
      if (form.getAttribute("data-sent")) {
        event.preventDefault();
        return;
      }
      form.setAttribute("data-sent", "1");
      // Disable later, so the pressed button's name and value still go along.
      window.setTimeout(function () {
        var buttons = form.querySelectorAll("button");
        for (var j = 0; j < buttons.length; j++) { buttons[j].disabled = true; }
      }, 0);
    });
  }

  var pickers = document.querySelectorAll("select[data-autosubmit]");
  for (var k = 0; k < pickers.length; k++) {
    pickers[k].addEventListener("change", function (event) { event.target.form.submit(); });
  }

  drawMap();

  function drawMap() {
    var box = document.getElementById("tour-karte");
    var source = box && document.getElementById(box.getAttribute("data-map"));
    if (!box || !source || typeof L === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    box.textContent = "";
    var map = L.map(box, { zoomControl: true, attributionControl: false, zoomSnap: 0.25 });
    var outline = L.geoJSON(data.outline, {
      interactive: false,
      style: { color: "#55606e", weight: 1.5, fillColor: "#ffffff", fillOpacity: 0.9 }
    });
    var points = [];
    data.lines.forEach(function (line) { points = points.concat(line.points); });
    // The view first: vector layers added to a map without one cannot be drawn.
    if (points.length) {
      map.fitBounds(L.latLngBounds(points), { paddingTopLeft: [52, 40], paddingBottomRight: [36, 36], maxZoom: 13 });
    } else {
      map.fitBounds(outline.getBounds());
    }
    outline.addTo(map);

    data.lines.forEach(function (line) {
      L.polyline(line.points, {
        color: line.van ? "#5b2f86" : "#1d5a86", weight: 3, opacity: 0.8,
        dashArray: line.van ? "6 5" : null, interactive: false
      }).addTo(map);
    });

    data.offices.forEach(function (office) {
      var icon = L.divIcon({ className: "map-office", iconSize: [14, 14] });
      L.marker([office.lat, office.lon], { icon: icon, keyboard: false })
        .bindTooltip(text(office.name)).addTo(map);
    });

    // Stops at one place (a van stand, a village centre) side by side, not on top.
    var groups = {};
    data.stops.forEach(function (stop) {
      var key = stop.lat.toFixed(4) + "," + stop.lon.toFixed(4);
      stop.slot = (groups[key] = (groups[key] || 0) + 1) - 1;
      stop.key = key;
    });
    data.stops.forEach(function (stop) {
      var shift = (stop.slot - (groups[stop.key] - 1) / 2) * 28;
      // The number goes in as text: nothing from the data is parsed as HTML.
      var label = document.createElement("span");
      label.textContent = String(stop.nr);
      var icon = L.divIcon({
        className: "map-stop" + (stop.done ? " done" : "") + (stop.missed ? " missed" : ""),
        html: label,
        iconSize: [26, 26], iconAnchor: [13 - shift, 13]
      });
      L.marker([stop.lat, stop.lon], { icon: icon, title: stop.label, zIndexOffset: 100 })
        .bindTooltip(text(stop.label)).addTo(map);
    });

  }

  function text(value) {
    var node = document.createElement("span");
    node.textContent = value;
    return node;
  }
})();
