// Assessment charts: targets (share vs required), pass rate per indicator, a community's score by year.
(function () {
  if (!window.echarts) return;
  var charts = [];
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    var c = echarts.init(el);
    c.setOption(option);
    charts.push(c);
  }
  var run = document.getElementById("run-data");
  if (run) {
    var d = JSON.parse(run.textContent);
    chart("targets-chart", {
      tooltip: {trigger: "axis"}, legend: {top: 0},
      grid: {left: 40, right: 10, top: 30, bottom: 90},
      xAxis: {type: "category", data: d.targets.map(function (t) { return t.title; }),
              axisLabel: {rotate: 30, interval: 0, width: 120, overflow: "truncate"}},
      yAxis: {type: "value", max: 100},
      series: [
        {name: "达标社区比例", type: "bar", data: d.targets.map(function (t) { return t.share; }),
         itemStyle: {color: function (p) { var t = d.targets[p.dataIndex]; return t.share !== null && t.share >= t.min ? "#0e7c3a" : "#b42318"; }}},
        {name: "要求", type: "scatter", symbol: "rect", symbolSize: [26, 3], data: d.targets.map(function (t) { return t.min; }),
         itemStyle: {color: "#111"}}
      ]
    });
    chart("pass-chart", {
      tooltip: {trigger: "axis"},
      grid: {left: 40, right: 10, top: 20, bottom: 110},
      xAxis: {type: "category", data: d.columns, axisLabel: {rotate: 40, interval: 0, width: 130, overflow: "truncate"}},
      yAxis: {type: "value", max: 100},
      series: [{name: "达标率(%)", type: "bar", data: d.pass_rates, itemStyle: {color: "#1d4ed8"}}]
    });
  }
  var card = document.getElementById("card-data");
  if (card) {
    var c = JSON.parse(card.textContent);
    chart("trend-chart", {
      tooltip: {trigger: "axis"}, grid: {left: 40, right: 10, top: 20, bottom: 30},
      xAxis: {type: "category", data: c.periods}, yAxis: {type: "value", max: 100},
      series: [{name: "得分", type: "line", data: c.scores, itemStyle: {color: "#1d4ed8"}}]
    });
  }
  var funding = document.getElementById("funding-data");
  if (funding) {
    var f = JSON.parse(funding.textContent);
    chart("funding-chart", {
      tooltip: {trigger: "axis"}, grid: {left: 70, right: 10, top: 20, bottom: 70},
      xAxis: {type: "category", data: f.streets, axisLabel: {rotate: 30, interval: 0}},
      yAxis: {type: "value", name: "元"},
      series: [{name: "每年合计(元)", type: "bar", data: f.totals, itemStyle: {color: "#1d4ed8"}}]
    });
  }
  var targets = document.getElementById("targets-data");
  if (targets) {
    var g = JSON.parse(targets.textContent);
    chart("targets-trend", {
      tooltip: {trigger: "axis"}, legend: {top: 0, type: "scroll"},
      grid: {left: 40, right: 10, top: 40, bottom: 30},
      xAxis: {type: "category", data: g.periods.map(String)}, yAxis: {type: "value", max: 100},
      series: g.series.map(function (s) { return {name: s.title, type: "line", data: s.shares}; })
    });
  }
  window.addEventListener("resize", function () { charts.forEach(function (x) { x.resize(); }); });
})();
