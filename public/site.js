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
  // Data tables on phones: label each cell with its column header (data-label), so that the
  // stylesheet can show one card per row with each value under its label. Cells spanning rows are
  // placed by an occupancy grid. Tables labelled by the server (data-stack) are left as they are;
  // without this script a wide table scrolls inside its region instead.
  document.querySelectorAll('table.data-table:not([data-stack])').forEach(function (table) {
    var head = table.tHead;
    if (!head || head.rows.length === 0) return;
    var labels = [];
    Array.prototype.forEach.call(head.rows[head.rows.length - 1].cells, function (th) {
      for (var i = 0; i < th.colSpan; i += 1) labels.push(th.textContent.replace(/\s+/g, ' ').trim());
    });
    Array.prototype.forEach.call(table.tBodies, function (tbody) {
      var taken = [];
      Array.prototype.forEach.call(tbody.rows, function (tr, r) {
        taken[r] = taken[r] || [];
        var col = 0;
        Array.prototype.forEach.call(tr.cells, function (cell) {
          while (taken[r][col]) col += 1;
          if (labels[col] && !cell.hasAttribute('data-label')) cell.setAttribute('data-label', labels[col]);
          for (var dr = 0; dr < Math.max(cell.rowSpan, 1); dr += 1) {
            taken[r + dr] = taken[r + dr] || [];
            for (var dc = 0; dc < cell.colSpan; dc += 1) taken[r + dr][col + dc] = true;
          }
          col += cell.colSpan;
        });
      });
    });
    table.setAttribute('data-stack', '');
  });
  // Header menus (details/summary, usable without this script): one open at a time, closed by
  // Escape (focus back on its summary) and by a click or focus outside.
  var menus = Array.prototype.slice.call(document.querySelectorAll('details[data-menu]'));
  menus.forEach(function (menu) {
    menu.addEventListener('toggle', function () {
      if (menu.open) menus.forEach(function (other) { if (other !== menu) other.open = false; });
    });
    menu.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && menu.open) {
        menu.open = false;
        menu.querySelector('summary').focus();
      }
    });
  });
  ['click', 'focusin'].forEach(function (type) {
    document.addEventListener(type, function (event) {
      menus.forEach(function (menu) { if (menu.open && !menu.contains(event.target)) menu.open = false; });
    });
  });
  // Print buttons (2D code page).
  document.querySelectorAll('[data-print]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      window.print();
    });
  });
})();
