// Care-group bar chart on the home page (data from the json_script block).
(function () {
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var el = document.getElementById('care-chart');
  if (!window.echarts || !el) return;
  var chart = echarts.init(el);
  chart.setOption({
    grid: {left: 40, right: 10, top: 20, bottom: 60},
    tooltip: {},
    xAxis: {type: 'category', data: data.care.labels, axisLabel: {rotate: 40}},
    yAxis: {type: 'value'},
    series: [{type: 'bar', data: data.care.values, itemStyle: {color: '#b42318'}}]
  });
  window.addEventListener('resize', function () { chart.resize(); });
})();
