// Public map of open incidents: grid outlines for context, one dot per incident.
(function () {
  var el = document.getElementById("map");
  var colours = ["#b42318", "#1d4ed8", "#0e7c3a", "#b54708", "#7c3aed", "#0f766e", "#be185d"];
  var map = L.map(el, {attributionControl: false, zoomSnap: 0.25, zoomControl: false});
  L.control.zoom({zoomInTitle: '放大', zoomOutTitle: '缩小'}).addTo(map);
  fetch(el.dataset.src).then(function (r) { return r.json(); }).then(function (data) {
    // Each grid is labelled with its name; the labels show once the map is close enough to read them.
    var outline = L.geoJSON({type: "FeatureCollection", features: data.grids},
      {style: {color: "#9aa5b1", weight: 1, fillOpacity: 0.04}, interactive: false,
       onEachFeature: function (f, layer) {
         if (f.properties && f.properties.name) {
           layer.bindTooltip(f.properties.name, {permanent: true, direction: "center", className: "grid-label"});
         }
       }});
    var labelsFrom = 14;
    function showLabels() { el.classList.toggle("grid-labels-hidden", map.getZoom() < labelsFrom && data.grids.length > 12); }
    map.on("zoomend", showLabels);
    // The view first: circle markers cannot be placed on a map without one.
    if (data.grids.length) { map.fitBounds(outline.getBounds()); } else { map.setView([31.36, 119.82], 11); }
    outline.addTo(map);
    showLabels();
    var byCategory = {};
    data.features.forEach(function (f) {
      var p = f.properties;
      if (!(p.category in byCategory)) byCategory[p.category] = {n: 0, colour: colours[Object.keys(byCategory).length % colours.length]};
      byCategory[p.category].n += 1;
      var dot = L.circleMarker([f.geometry.coordinates[1], f.geometry.coordinates[0]],
        {radius: 6, color: byCategory[p.category].colour, fillOpacity: 0.7, weight: 1}).addTo(map);
      var box = document.createElement("div");
      box.innerHTML = "<strong></strong><br><span></span><br><small></small>";
      box.querySelector("strong").textContent = p.category + " · " + p.state;
      box.querySelector("span").textContent = p.street + " " + p.community;
      box.querySelector("small").textContent = "上报于 " + p.date;
      dot.bindPopup(box);
    });
    var legend = document.getElementById("legend");
    Object.keys(byCategory).forEach(function (name) {
      var li = document.createElement("li");
      li.innerHTML = "<span style=\"font-size:1.2em\">●</span> <span></span>";
      li.firstChild.style.color = byCategory[name].colour;
      li.lastChild.textContent = name + " " + byCategory[name].n + " 件";
      legend.appendChild(li);
    });
    document.getElementById("incident-count").textContent = "共 " + data.features.length + " 件。";
    el.dataset.features = data.features.length;
  });
})();
