// Home-care map: stations (squares) and each grid's elders (circles: green inside the 30-minute walk of a
// serving station, red outside), drawn with Leaflet without a tile layer (intranets have no tiles).
(function () {
  var el = document.getElementById('care-map');
  var map = L.map(el, {attributionControl: false, zoomSnap: 0.25, zoomControl: false});
  L.control.zoom({zoomInTitle: '放大', zoomOutTitle: '缩小'}).addTo(map);
  fetch(el.dataset.src, {credentials: 'same-origin'}).then(function (r) { return r.json(); }).then(function (data) {
    var layer = L.geoJSON(data, {
      pointToLayer: function (f, latlng) {
        var p = f.properties;
        if (p.kind === 'station') {
          return L.circleMarker(latlng, {radius: 7, color: '#1d4ed8', weight: 2, fillOpacity: 0.9});
        }
        return L.circleMarker(latlng, {radius: 4 + Math.min(10, Math.sqrt(p.elders)), weight: 1,
                                       color: p.inside ? '#15803d' : '#b42318', fillOpacity: 0.45});
      },
      onEachFeature: function (f, l) {
        var p = f.properties, a = document.createElement('div');
        if (p.kind === 'station') {
          a.innerHTML = '<strong></strong><br><span></span><br>开放时间 <b></b>';
          a.querySelector('strong').textContent = p.name;
          a.querySelector('span').textContent = p.level + ' · 日服务能力 ' + p.capacity + ' 人次';
          a.querySelector('b').textContent = p.hours || '未填';
        } else {
          a.innerHTML = '<strong></strong><br>60 岁以上 <b></b> 人<br><span></span>';
          a.querySelector('strong').textContent = p.name;
          a.querySelector('b').textContent = p.elders;
          a.querySelector('span').textContent = p.metres === null ? '附近没有服务站点' :
            '距 ' + p.station + ' 约 ' + p.metres + ' 米' + (p.inside ? '(步行 30 分钟内)' : '(超出步行 30 分钟)');
        }
        l.bindPopup(a);
      }
    }).addTo(map);
    el.dataset.features = data.features.length;
    if (data.features.length) { map.fitBounds(layer.getBounds().pad(0.1)); } else { map.setView([31.36, 119.82], 11); }
  });
})();
