// Community-worker yearly review: the street's bar chart of each worker's scores, and a worker's
// combined score over the years. Figures only (means), never a single rating.
(function () {
  if (!window.echarts) return;
  var charts = [];
  var el = document.getElementById("workers-data"), box = document.getElementById("workers-chart");
  if (el && box) {
    var d = JSON.parse(el.textContent);
    var c = echarts.init(box);
    c.setOption({tooltip: {trigger: "axis"}, legend: {top: 0}, grid: {left: 40, right: 10, top: 40, bottom: 80},
      xAxis: {type: "category", data: d.names, axisLabel: {rotate: 40, interval: 0}},
      yAxis: {type: "value", min: 0, max: 100},
      series: [{name: "群众满意度", type: "bar", data: d.residents, itemStyle: {color: "#1d4ed8"}},
               {name: "街道评分", type: "bar", data: d.street, itemStyle: {color: "#f79009"}},
               {name: "综合得分", type: "bar", data: d.combined, itemStyle: {color: "#0e7c3a"}}]});
    charts.push(c);
  }
  var mine = document.getElementById("my-review-data"), mbox = document.getElementById("my-review-chart");
  if (mine && mbox) {
    var m = JSON.parse(mine.textContent);
    var k = echarts.init(mbox);
    k.setOption({tooltip: {trigger: "axis"}, grid: {left: 40, right: 10, top: 20, bottom: 30},
      xAxis: {type: "category", data: m.years}, yAxis: {type: "value", min: 0, max: 100},
      series: [{name: "综合得分", type: "bar", data: m.combined, itemStyle: {color: "#0e7c3a"}}]});
    charts.push(k);
  }
  window.addEventListener("resize", function () { charts.forEach(function (x) { x.resize(); }); });
})();
