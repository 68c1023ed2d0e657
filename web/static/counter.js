// Attendee form: how many characters the note has against the limit, shown as it is typed or
// pasted (the limit is the textarea's data-limit; without JavaScript the hint above the box says
// it). There is no maxlength: a browser cuts a longer paste to it without a word, so the words
// stay whole, the counter warns, and the server refuses an over-long note and gives it back.
(function () {
  var box = document.getElementById("text");
  var counter = document.getElementById("text-counter");
  var limit = box ? parseInt(box.getAttribute("data-limit"), 10) : NaN;
  if (!box || !counter || !(limit > 0)) { return; }
  function show() {
    var length = box.value.length, left = limit - length;
    var text = length.toLocaleString("en-GB") + " of " + limit.toLocaleString("en-GB") + " characters";
    if (left < 0) {
      text += ": " + (-left).toLocaleString("en-GB") + " over the limit. This note will not be sent as it" +
        " is: shorten it, or send part now and the rest as another note.";
    } else if (left < 500) {
      text += " (" + left.toLocaleString("en-GB") + " left)";
    }
    counter.textContent = text;
    counter.classList.toggle("errors", left < 0);
    if (left < 0) {
      box.setAttribute("aria-invalid", "true");
      box.setAttribute("data-over", "");
    } else if (box.hasAttribute("data-over")) {  // only what this script set: a server's error stays
      box.removeAttribute("aria-invalid");
      box.removeAttribute("data-over");
    }
  }
  counter.hidden = false;
  box.addEventListener("input", show);
  show();
  // A note more than twice the limit may be larger than the server reads at all (a 413 page, the
  // words not given back): it is not sent, and stays in the box. Over the limit by less, the
  // server refuses it and gives it back with the reason.
  if (box.form) {
    box.form.addEventListener("submit", function (event) {
      if (box.value.length > 2 * limit) {
        event.preventDefault();
        counter.textContent = "Not sent: " + box.value.length.toLocaleString("en-GB") + " characters is far over the " +
          limit.toLocaleString("en-GB") + " limit. Your words are still in the box: shorten them, or send them in parts.";
        counter.classList.add("errors");
        box.focus();
      }
    });
  }
})();
