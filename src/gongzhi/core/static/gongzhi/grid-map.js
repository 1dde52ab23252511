// Grid map: draws the GeoJSON boundaries of the caller's grids with Leaflet.
(function () {
  var el = document.getElementById('map');
  // No tile layer: intranets have no map tiles, the grid boundaries are the map.
  var map = L.map(el, {attributionControl: false, zoomSnap: 0.25, zoomControl: false});
  L.control.zoom({zoomInTitle: '放大', zoomOutTitle: '缩小'}).addTo(map);
  fetch(el.dataset.src, {credentials: 'same-origin'}).then(function (r) { return r.json(); }).then(function (data) {
    var layer = L.geoJSON(data, {
      style: function (f) { return {color: f.properties.understaffed ? '#b54708' : '#1d4ed8', weight: 1.5,
                                    fillOpacity: f.properties.understaffed ? 0.35 : 0.15}; },
      onEachFeature: function (f, l) {
        var p = f.properties, a = document.createElement('div');
        a.innerHTML = '<strong></strong><br><span></span><br>居民 <b></b> 人<br><a>打开网格</a>';
        a.querySelector('strong').textContent = p.name;
        a.querySelector('span').textContent = p.street + ' · ' + p.community + ' · ' + p.kind;
        a.querySelector('b').textContent = p.residents;
        a.querySelector('a').href = p.url;
        l.bindPopup(a);
        l.bindTooltip(p.community + ' ' + p.name.replace(p.community, ''), {permanent: true, direction: 'center', className: 'grid-label'});
      }
    }).addTo(map);
    el.dataset.features = data.features.length;
    // Labels only when zoomed in enough to read them.
    var toggle = function () { el.classList.toggle('labels-on', map.getZoom() >= 14); };
    map.on('zoomend', toggle);
    if (data.features.length) { map.fitBounds(layer.getBounds()); } else { map.setView([31.36, 119.82], 11); }
    toggle();
  });
})();
