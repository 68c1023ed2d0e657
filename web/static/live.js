// Live view: poll the notes feed and add new notes to their table's column.
// Text goes in through textContent only, so a note can never become markup.
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root) { return; }
  var feed = root.getAttribute("data-feed");
  var since = parseInt(root.getAttribute("data-since") || "0", 10);
  var status = document.getElementById("live-status");

  function column(name) {
    var sections = root.querySelectorAll("section.column");
    for (var i = 0; i < sections.length; i++) {
      if (sections[i].getAttribute("data-table") === name) { return sections[i].querySelector("ul"); }
    }
    var section = document.createElement("section");
    section.className = "column";
    section.setAttribute("data-table", name);
    var h = document.createElement("h2");
    h.textContent = name;
    var ul = document.createElement("ul");
    ul.className = "notes";
    section.appendChild(h);
    section.appendChild(ul);
    root.appendChild(section);
    return ul;
  }

  function add(note) {
    var li = document.createElement("li");
    li.className = "note new status-" + note.status;
    li.setAttribute("data-id", note.id);
    if (note.number) {  // the number Moderate and the digest's quotes give the note
      var number = document.createElement("strong");
      number.className = "note-number";
      number.textContent = "Note " + note.number;
      li.appendChild(number);
      li.appendChild(document.createTextNode(" "));
    }
    var badge = document.createElement("span");
    badge.className = "badge";
    badge.textContent = note.status;
    li.appendChild(badge);
    li.appendChild(document.createTextNode(" " + note.text));
    column(note.table || "No table").appendChild(li);
  }

  function poll() {
    fetch(feed + "?since=" + since, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        data.notes.forEach(add);
        since = data.last_id;
        if (data.notes.length && status) { status.textContent = data.notes.length + (data.notes.length === 1 ? " new note." : " new notes."); }
      })
      .catch(function () { if (status) { status.textContent = "Could not fetch new notes; retrying."; } })
      .then(function () { window.setTimeout(poll, 4000); });
  }
  window.setTimeout(poll, 4000);
}());
