// samspor: small helps on top of pages that work without JavaScript.
(function () {
  'use strict';

  // "/" jumps to the search box, as on many search sites (not while typing in a field).
  document.addEventListener('keydown', function (event) {
    if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
      return;
    }
    var box = document.getElementById('q');
    if (!box) {
      return;
    }
    event.preventDefault();
    box.focus();
    box.select();
  });

  // "Lag notat": buttons to tick or clear every theme at once.
  var themes = document.getElementById('temaer');
  if (themes) {
    var bar = document.createElement('p');
    bar.className = 'select-all';
    [['Velg alle', true], ['Velg ingen', false]].forEach(function (choice) {
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'secondary';
      button.textContent = choice[0];
      button.addEventListener('click', function () {
        themes.querySelectorAll('input[type=checkbox]').forEach(function (box) {
          box.checked = choice[1];
        });
      });
      bar.appendChild(button);
    });
    var legend = themes.querySelector('legend');
    themes.insertBefore(bar, legend ? legend.nextSibling : themes.firstChild);
  }
})();
