/*
 * The knowledge base as one types (SPEC §8, §11): on the new-ticket form,
 * articles that may answer what the subject and description say; in the
 * article editor, the text as readers will see it. The pages work without
 * this file: both have a button that asks the server instead.
 */
(function () {
  "use strict";

  function debounce(fn, ms) {
    var t = null;
    return function () {
      if (t) { clearTimeout(t); }
      t = setTimeout(fn, ms);
    };
  }

  function csrf(form) {
    var f = form && form.querySelector("input[name=csrf]");
    return f ? f.value : "";
  }

  /* --- suggestions on the new-ticket form --- */
  var box = document.getElementById("kb-suggest");
  var subject = document.getElementById("subject");
  var description = document.getElementById("description");

  if (box && subject && description && window.fetch) {
    var found = document.getElementById("kb-suggest-found");
    var list = document.getElementById("kb-suggest-list");
    var ids = document.getElementById("kb-suggest-ids");
    var none = document.getElementById("kb-suggest-none");
    var solved = document.getElementById("kb-solved");
    var asked = "";
    var seq = 0;

    var ask = function () {
      var q = (subject.value + " " + description.value.slice(0, 300)).trim();
      if (q === asked) { return; }
      asked = q;
      var mine = ++seq;
      if (q.length < 3) { return; }

      fetch(box.getAttribute("data-suggest") + "?q=" + encodeURIComponent(q),
            { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { articles: [] }; })
        .then(function (data) {
          if (mine !== seq) { return; }
          var a = data.articles || [];
          list.textContent = "";
          a.forEach(function (art) {
            var li = document.createElement("li");
            var link = document.createElement("a");
            link.href = art.url;
            link.target = "_blank";
            link.rel = "noopener";
            link.textContent = art.title;
            li.appendChild(link);
            list.appendChild(li);
          });
          ids.value = a.map(function (art) { return art.id; }).join(",");
          found.hidden = a.length === 0;
          if (solved) { solved.hidden = a.length === 0; }
          if (none) { none.hidden = true; }
        })
        .catch(function () { /* the button still asks the server */ });
    };

    var later = debounce(ask, 350);
    subject.addEventListener("input", later);
    description.addEventListener("input", later);
  }

  /* --- the live preview in the article editor --- */
  var body = document.getElementById("body");
  var preview = document.getElementById("kb-preview");
  var editor = document.getElementById("kb-edit");

  if (body && preview && editor && window.fetch) {
    var base = editor.getAttribute("action").replace(/staff\/kb\/.*$/, "");
    var show = function () {
      fetch(base + "api/v1/staff/kb/preview", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf(editor) },
        body: JSON.stringify({ body: body.value })
      })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          /* the server's HTML: Markdown without raw HTML or unsafe links */
          if (data && typeof data.html === "string") { preview.innerHTML = data.html; }
        })
        .catch(function () { /* the button still asks the server */ });
    };

    body.addEventListener("input", debounce(show, 300));
  }
}());
