// Keyboard shortcuts of the staff desk, as the page's own list says them:
// on the queue j/k move between tickets, x ticks one, Enter opens it; on a
// ticket r goes to the reply, u back to the queue. Never while typing.
(function () {
  'use strict';
  function typing(e) {
    var t = e.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }
  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) {
      return;
    }
    var links = Array.prototype.slice.call(document.querySelectorAll('table.staff-queue a.ticket-link'));
    var at = links.indexOf(document.activeElement);
    var row, box, reply, back;
    if ((e.key === 'j' || e.key === 'k') && links.length) {
      at = e.key === 'j' ? Math.min(at + 1, links.length - 1) : Math.max(at - 1, 0);
      links[at].focus();
      e.preventDefault();
    } else if (e.key === 'x' && at >= 0) {
      row = links[at].closest('tr');
      box = row && row.querySelector('input[type=checkbox]');
      if (box) {
        box.checked = !box.checked;
      }
      e.preventDefault();
    } else if (e.key === 'r') {
      reply = document.getElementById('body');
      if (reply) {
        reply.focus();
        e.preventDefault();
      }
    } else if (e.key === 'u') {
      back = document.querySelector('a[data-key=u]');
      if (back) {
        window.location.href = back.href;
      }
    }
  });
}());
