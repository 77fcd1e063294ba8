// Enhancements only: every page works without this script.
(function () {
  'use strict';
  // パスワード表示: reveal the checkbox and let it switch the password field's type.
  document.querySelectorAll('[data-password-toggle]').forEach(function (box) {
    var checkbox = box.querySelector('input[type="checkbox"]');
    var target = checkbox && document.getElementById(checkbox.getAttribute('aria-controls'));
    if (!checkbox || !target) return;
    box.hidden = false;
    checkbox.addEventListener('change', function () {
      target.type = checkbox.checked ? 'text' : 'password';
    });
  });
  // Error summary: move focus to it so that screen readers announce the errors first.
  var summary = document.querySelector('[data-error-summary]');
  if (summary) summary.focus();
  // Print buttons (2D code page).
  document.querySelectorAll('[data-print]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      window.print();
    });
  });
})();
