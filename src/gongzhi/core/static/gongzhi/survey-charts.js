// Survey results: positive rate per community, answer distribution per question.
(function () {
  if (!window.echarts) return;
  var el = document.getElementById("survey-data");
  if (!el) return;
  var d = JSON.parse(el.textContent), charts = [];
  var a = document.getElementById("survey-chart");
  if (a) {
    var c = echarts.init(a);
    c.setOption({tooltip: {trigger: "axis"}, grid: {left: 40, right: 10, top: 20, bottom: 70},
      xAxis: {type: "category", data: d.communities, axisLabel: {rotate: 40, interval: 0}},
      yAxis: {type: "value", max: 100},
      series: [{name: "比例(%)", type: "bar", data: d.rates, itemStyle: {color: "#1d4ed8"}}]});
    charts.push(c);
  }
  var b = document.getElementById("question-chart");
  if (b) {
    var colours = ["#b42318", "#f79009", "#fdb022", "#32d583", "#0e7c3a"];
    var q = echarts.init(b);
    q.setOption({tooltip: {trigger: "axis"}, legend: {top: 0}, grid: {left: 40, right: 10, top: 40, bottom: 70},
      xAxis: {type: "category", data: d.questions.map(function (t, i) { return "第" + (i + 1) + "题"; })},
      yAxis: {type: "value"},
      series: d.scale.map(function (label, k) {
        return {name: label, type: "bar", stack: "all", data: d.counts.map(function (row) { return row[k]; }),
                itemStyle: {color: colours[k]}};
      })});
    charts.push(q);
  }
  window.addEventListener("resize", function () { charts.forEach(function (x) { x.resize(); }); });
})();
