/* Woche: the week's tours on an offline Leaflet map (no tiles): the district outline,
   the municipalities' names, the offices, and per tour its numbered visits joined by
   straight lines in the coach's colour. Data come from the page's JSON block
   #karte-daten; client text only ever goes in as textContent. */
(function () {
  "use strict";

  var box = document.getElementById("karte");
  var source = document.getElementById("karte-daten");
  var section = document.getElementById("karte-bereich");
  if (!box || !source || !section || typeof L === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  section.hidden = false;

  var map = L.map(box, {
    zoomSnap: 0.25,
    attributionControl: false,
    scrollWheelZoom: false // the page scrolls; zoom with the buttons or two fingers
  });
  L.control.scale({ imperial: false, position: "bottomright" }).addTo(map);

  var outline = L.geoJSON(data.outline, {
    interactive: false,
    style: function () { return { className: "wk-outline" }; }
  }).addTo(map);

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function label(name, at) {
    var inner = element("span", "", name);
    var icon = L.divIcon({ className: "wk-place", html: inner, iconSize: null });
    return L.marker(at, { icon: icon, interactive: false, keyboard: false });
  }

  var places = L.layerGroup();
  data.places.forEach(function (p) { label(p[0], [p[1], p[2]]).addTo(places); });
  places.addTo(map);

  data.offices.forEach(function (o) {
    var icon = L.divIcon({ className: "wk-office", iconSize: [14, 14] });
    L.marker([o[1], o[2]], { icon: icon, title: o[0], keyboard: false })
      .bindTooltip(element("span", "", o[0]))
      .addTo(map);
  });

  function tip(tour, stop) {
    var node = element("div", "wk-tip");
    node.appendChild(element("strong", "", stop.n + ". " + stop.t + " · " + stop.id));
    if (stop.name) { node.appendChild(element("span", "", stop.name + ", ")); }
    node.appendChild(element("span", "", stop.place));
    node.appendChild(element("div", "", tour.label));
    return node;
  }

  function show(anchor) { // a marker leads to its row in the tables below
    var row = document.getElementById(anchor);
    if (row) {
      row.scrollIntoView({ behavior: "smooth", block: "center" });
      var link = row.querySelector("a");
      if (link) { link.focus({ preventScroll: true }); }
    }
  }

  var byDay = {};
  data.tours.forEach(function (tour) {
    var group = L.featureGroup();
    var path = [tour.from];
    tour.stops.forEach(function (stop) { path.push(stop.at); });
    path.push(tour.to);
    L.polyline(path, { className: "wk-line coach-" + tour.c, interactive: false }).addTo(group);
    tour.stops.forEach(function (stop) {
      var number = element("span", "", String(stop.n));
      var icon = L.divIcon({
        className: "wk-stop coach-" + tour.c, html: number, iconSize: [24, 24]
      });
      L.marker(stop.at, { icon: icon, title: stop.t + " " + stop.id, riseOnHover: true })
        .bindTooltip(tip(tour, stop))
        .on("click", function () { show(stop.a); })
        .addTo(group);
    });
    (byDay[tour.day] = byDay[tour.day] || []).push(group);
  });

  var shown = [];
  function showDay(day) {
    shown.forEach(function (group) { map.removeLayer(group); });
    shown = [];
    Object.keys(byDay).forEach(function (key) {
      if (!day || key === day) { shown = shown.concat(byDay[key]); }
    });
    var bounds = null; // one day: zoom to its tours; all days: the whole district
    shown.forEach(function (group) {
      group.addTo(map);
      if (day) { bounds = bounds ? bounds.extend(group.getBounds()) : group.getBounds(); }
    });
    bounds = bounds || outline.getBounds();
    map.fitBounds(bounds, { padding: [12, 12] });
  }

  var chips = section.querySelectorAll(".chip[data-day]");
  for (var i = 0; i < chips.length; i++) {
    chips[i].addEventListener("click", function (event) {
      var chosen = event.currentTarget;
      for (var j = 0; j < chips.length; j++) {
        chips[j].setAttribute("aria-pressed", chips[j] === chosen ? "true" : "false");
      }
      showDay(chosen.getAttribute("data-day"));
    });
  }
  showDay("");
})();
