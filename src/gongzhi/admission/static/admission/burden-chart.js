// The burden dashboard's chart: per community, the data items the community typed this year and last
// year, and those the platform answered from the registry.
(function () {
  if (!window.echarts) return;
  var data = document.getElementById("burden-data");
  var el = document.getElementById("burden-chart");
  if (!data || !el) return;
  var d = JSON.parse(data.textContent);
  var c = echarts.init(el);
  c.setOption({
    tooltip: {trigger: "axis"}, legend: {top: 0},
    grid: {left: 40, right: 10, top: 30, bottom: 90},
    xAxis: {type: "category", data: d.communities, axisLabel: {rotate: 40, interval: 0, width: 110, overflow: "truncate"}},
    yAxis: {type: "value", minInterval: 1},
    series: [
      {name: "社区录入(本年)", type: "bar", data: d.typed, itemStyle: {color: "#b42318"}},
      {name: "社区录入(上年)", type: "bar", data: d.before_typed, itemStyle: {color: "#f4a19a"}},
      {name: "平台代填", type: "bar", data: d.registry, itemStyle: {color: "#0e7c3a"}}
    ]
  });
  window.addEventListener("resize", function () { c.resize(); });
})();
