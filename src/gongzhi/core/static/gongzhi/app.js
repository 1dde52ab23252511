// Behaviour shared by every page. No inline handlers: the CSP allows scripts from 'self' only.
document.addEventListener('click', function (e) {
  var el = e.target.closest('a[data-confirm]');
  if (el && !window.confirm(el.dataset.confirm)) { e.preventDefault(); }
});
document.addEventListener('submit', function (e) {
  var form = e.target.closest('form[data-confirm]');
  if (form && !window.confirm(form.dataset.confirm)) { e.preventDefault(); }
});
// The header's 菜单 button on phones (wider screens show the links in a row; without
// scripts, base.html's <noscript> style keeps the links open).
document.addEventListener('click', function (e) {
  var button = e.target.closest('.menu-toggle');
  if (!button) { return; }
  var menu = document.getElementById(button.getAttribute('aria-controls'));
  var open = menu.classList.toggle('open');
  button.setAttribute('aria-expanded', open ? 'true' : 'false');
});
// A box that scrolls sideways (a wide table on a phone) must be reachable by keyboard to be
// scrolled: it gets a tab stop, and only while it really scrolls.
function focusScrollers(root) {
  (root || document).querySelectorAll('.panel, .matrix-wrap').forEach(function (el) {
    if (el.scrollWidth > el.clientWidth + 1) {
      if (!el.hasAttribute('tabindex')) { el.setAttribute('tabindex', '0'); }
      if (!el.hasAttribute('aria-label') && !el.hasAttribute('aria-labelledby')) {
        var heading = el.querySelector('h2, h3');
        el.setAttribute('aria-label', heading ? heading.textContent.trim() : '可左右滑动的表格');
      }
    }
  });
}
document.addEventListener('DOMContentLoaded', function () { focusScrollers(); });
document.addEventListener('htmx:afterSettle', function (e) { focusScrollers(e.target); });
