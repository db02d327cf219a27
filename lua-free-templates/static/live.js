// Live pages (partials/live, the staff queue): every 5 s a ticket page asks
// whether the ticket changed, and staff who else has it open or is writing
// a reply; the queue whether a ticket of its departments changed. Without
// JavaScript the pages work as before: this only adds the notices.
(function () {
  'use strict';
  var box = document.getElementById('live');
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute('data-url');
  var version = box.getAttribute('data-version');
  var changed = document.getElementById('live-changed');
  var others = document.getElementById('live-others');
  var reply = document.getElementById('body');

  changed.querySelector('a').href = window.location.pathname + window.location.search;

  function show(d) {
    if (String(d.version) !== version) {
      changed.hidden = false;
    }
    var names = (d.others || []).map(function (o) {
      return o.name + (o.replying ? ' (' + box.getAttribute('data-replying') + ')' : '');
    });
    if (others) {
      others.textContent = names.length
        ? box.getAttribute(names.length === 1 ? 'data-viewing-one' : 'data-viewing') + ' ' + names.join(', ') : '';
      others.hidden = names.length === 0;
    }
    box.hidden = changed.hidden && (!others || others.hidden);
  }

  var timer = null;
  var told = false;       // whether the last look said "replying"

  function tick() {
    var replying = reply && reply.value.trim().length > 0;
    timer = null;
    told = replying;
    fetch(url + (replying ? (url.indexOf('?') < 0 ? '?' : '&') + 'replying=1' : ''), {
      credentials: 'same-origin', headers: { Accept: 'application/json' }
    }).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (d) {
      if (d) {
        show(d);
      }
    }).catch(function () {
      // offline for a moment: the next tick tries again
    }).then(function () {
      // a reply started while this look was on its way goes at once
      var now = reply && reply.value.trim().length > 0;
      timer = window.setTimeout(tick, now !== told ? 0 : document.hidden ? 15000 : 5000);
    });
  }

  // starting (or clearing) a reply is told at once, not at the next look,
  // so that the others learn it within one of their own looks
  if (reply) {
    reply.addEventListener('input', function () {
      var replying = reply.value.trim().length > 0;
      if (replying !== told && timer !== null) {
        window.clearTimeout(timer);
        tick();
      }
    });
  }

  tick();
}());
