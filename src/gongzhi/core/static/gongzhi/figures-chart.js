// Work-order figures: rates per unit and the monthly trend (data from json_script).
(function () {
  if (!window.echarts) return;
  var data = JSON.parse(document.getElementById("figures-data").textContent);
  var charts = [];
  var rates = document.getElementById("rates-chart");
  if (rates) {
    var c = echarts.init(rates);
    c.setOption({
      tooltip: {trigger: "axis"}, legend: {top: 0},
      grid: {left: 40, right: 10, top: 30, bottom: 70},
      xAxis: {type: "category", data: data.units, axisLabel: {rotate: 40, interval: 0}},
      yAxis: {type: "value", max: 100},
      series: [
        {name: "结案率", type: "bar", data: data.closure, itemStyle: {color: "#b42318"}},
        {name: "按期结案率", type: "bar", data: data.on_time, itemStyle: {color: "#0e7c3a"}},
        {name: "满意率", type: "bar", data: data.satisfaction, itemStyle: {color: "#1d4ed8"}}
      ]
    });
    charts.push(c);
  }
  var trend = document.getElementById("trend-chart");
  if (trend) {
    var t = echarts.init(trend);
    t.setOption({
      tooltip: {trigger: "axis"}, legend: {top: 0},
      grid: {left: 40, right: 10, top: 30, bottom: 30},
      xAxis: {type: "category", data: data.trend.labels},
      yAxis: {type: "value"},
      series: [
        {name: "上报", type: "line", data: data.trend.reported, itemStyle: {color: "#b42318"}},
        {name: "结案", type: "line", data: data.trend.closed, itemStyle: {color: "#0e7c3a"}}
      ]
    });
    charts.push(t);
  }
  window.addEventListener("resize", function () { charts.forEach(function (x) { x.resize(); }); });
})();
