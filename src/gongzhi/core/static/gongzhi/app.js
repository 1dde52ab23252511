// Behaviour shared by every page. No inline handlers: the CSP allows scripts from 'self' only.
document.addEventListener('click', function (e) {
  var el = e.target.closest('a[data-confirm]');
  if (el && !window.confirm(el.dataset.confirm)) { e.preventDefault(); }
});
document.addEventListener('submit', function (e) {
  var form = e.target.closest('form[data-confirm]');
  if (form && !window.confirm(form.dataset.confirm)) { e.preventDefault(); }
});
