// Cadre supervision charts: a round's votes per cadre with the approval line; a cadre's approval across rounds.
(function () {
  if (!window.echarts) return;
  function read(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  var round = read("round-data"), el = document.getElementById("round-chart");
  if (round && el) {
    var c = echarts.init(el);
    c.setOption({
      tooltip: {trigger: "axis"}, legend: {top: 0},
      grid: {left: 40, right: 40, top: 30, bottom: 60},
      xAxis: {type: "category", data: round.names, axisLabel: {interval: 0, rotate: 30}},
      yAxis: [{type: "value", minInterval: 1}, {type: "value", min: 0, max: 100, axisLabel: {formatter: "{value}%"}}],
      series: [
        {name: "满意", type: "bar", stack: "v", data: round.satisfied, itemStyle: {color: "#0e7c3a"}},
        {name: "基本满意", type: "bar", stack: "v", data: round.basic, itemStyle: {color: "#8cc99f"}},
        {name: "不满意", type: "bar", stack: "v", data: round.unsatisfied, itemStyle: {color: "#b42318"}},
        {name: "满意率", type: "line", yAxisIndex: 1, data: round.approval,
         markLine: {silent: true, symbol: "none", data: [{yAxis: round.line, name: "标记线"}]}}
      ]
    });
    window.addEventListener("resize", function () { c.resize(); });
  }
  var cadre = read("cadre-data"), el2 = document.getElementById("cadre-chart");
  if (cadre && el2 && cadre.rounds.length) {
    var d = echarts.init(el2);
    d.setOption({
      tooltip: {trigger: "axis"}, grid: {left: 40, right: 10, top: 20, bottom: 40},
      xAxis: {type: "category", data: cadre.rounds},
      yAxis: {type: "value", min: 0, max: 100, axisLabel: {formatter: "{value}%"}},
      series: [{name: "满意率", type: "line", data: cadre.approval,
                markLine: cadre.line === null ? undefined : {silent: true, symbol: "none", data: [{yAxis: cadre.line}]}}]
    });
    window.addEventListener("resize", function () { d.resize(); });
  }
})();
