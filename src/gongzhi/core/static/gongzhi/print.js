// The 打印 button: the browser's print dialog (print.css lays the page out for A4).
(function () {
  if (window.gongzhiPrintBound) { return; }
  window.gongzhiPrintBound = true;
  document.addEventListener('click', function (e) {
    if (e.target.closest('[data-print]')) { window.print(); }
  });
})();
