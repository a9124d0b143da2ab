// Klaxon UI: instants in the viewer's time zone, expressions checked as they are typed, rule rows added and
// removed in the escalation group editor, the support desk's bug report choice, and "/" to jump to the filter box.
(function () {
  "use strict";

  // <time datetime="…Z" data-local> shows the instant in the browser's zone; the UTC text stays as its title.
  function localTimes(root) {
    root.querySelectorAll("time[data-local]").forEach(function (t) {
      var d = new Date(t.getAttribute("datetime"));
      if (isNaN(d)) return;
      t.title = t.textContent.trim();
      t.textContent = d.toLocaleString([], {
        weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", hour12: false, timeZoneName: "short" });
    });
  }

  // The expression with a caret under the column of each error, as the server writes it.
  function caretText(text, errors) {
    var lines = text.split("\n");
    return errors.map(function (e) {
      var line = lines[e.line - 1] || "";
      return line + "\n" + " ".repeat(Math.max(0, e.column - 1)) + "^ line " + e.line + ", column " + e.column + ": " + e.message;
    }).join("\n");
  }

  function checkField(input) {
    var out = document.getElementById(input.getAttribute("data-check-output"));
    var tracker = input.getAttribute("data-check-tracker");
    var trackerSelect = input.getAttribute("data-check-tracker-from");
    if (trackerSelect) tracker = (document.getElementById(trackerSelect) || {}).value || tracker;
    if (!out || !tracker) return;
    var text = input.value;
    if (text.trim() === "" && input.hasAttribute("data-check-optional")) { out.textContent = ""; out.className = "check"; return; }
    var url = "/ui/check?tracker=" + encodeURIComponent(tracker) + "&expect=" + encodeURIComponent(input.getAttribute("data-check-expect") || "") +
      "&expression=" + encodeURIComponent(text);
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; }).then(function (answer) {
      if (!answer || input.value !== text) return;
      out.innerHTML = "";
      if (answer.valid) {
        out.className = "check valid";
        out.textContent = "✓ a valid " + answer.type;
      } else {
        out.className = "check invalid";
        var pre = document.createElement("pre");
        pre.className = "caret code";
        pre.textContent = caretText(text, answer.errors || []);
        out.appendChild(pre);
      }
    });
  }

  function watchChecks(root) {
    root.querySelectorAll("[data-check-expect]").forEach(function (input) {
      if (input.dataset.watched) return;
      input.dataset.watched = "1";
      var timer;
      // Checked on input only: what the server rendered with the page (a filter's positioned error) stays until then.
      input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(function () { checkField(input); }, 200); });
    });
  }

  // Rule fieldsets of the group editor: names are Form.Rules[i].Field; adding copies the template, removing renumbers.
  function renumberRules(container) {
    container.querySelectorAll("fieldset.rule").forEach(function (fs, i) {
      fs.querySelector("legend .n").textContent = String(i + 1);
      fs.querySelectorAll("[name]").forEach(function (el) { el.name = el.name.replace(/^Form\.Rules\[\d+\]/, "Form.Rules[" + i + "]"); });
      fs.querySelectorAll("[id]").forEach(function (el) { el.id = el.id.replace(/^rule\d+-/, "rule" + i + "-"); });
      fs.querySelectorAll("[for]").forEach(function (el) { el.htmlFor = el.htmlFor.replace(/^rule\d+-/, "rule" + i + "-"); });
      fs.querySelectorAll("[data-check-output]").forEach(function (el) { el.setAttribute("data-check-output", el.getAttribute("data-check-output").replace(/^rule\d+-/, "rule" + i + "-")); });
    });
  }

  document.addEventListener("click", function (e) {
    var add = e.target.closest("[data-add-rule]");
    if (add) {
      var container = document.getElementById(add.getAttribute("data-add-rule"));
      var template = document.getElementById("rule-template");
      var copy = template.content.firstElementChild.cloneNode(true);
      container.appendChild(copy);
      renumberRules(container);
      watchChecks(copy);
      var first = copy.querySelector("input");
      if (first) first.focus();
      return;
    }
    var remove = e.target.closest("[data-remove-rule]");
    if (remove) {
      var fs = remove.closest("fieldset.rule");
      var parent = fs.parentElement;
      fs.remove();
      renumberRules(parent);
    }
  });

  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var tag = (document.activeElement && document.activeElement.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
    var box = document.querySelector("[data-filter-box]");
    if (box) { e.preventDefault(); box.focus(); }
  });

  // A choice's own fields (the support desk's new or existing bug report): typing in them picks that choice.
  document.addEventListener("input", function (e) {
    var box = e.target.closest && e.target.closest("[data-for]");
    var radio = box && document.getElementById(box.getAttribute("data-for"));
    if (radio) radio.checked = true;
  });

  localTimes(document);
  watchChecks(document);
})();
