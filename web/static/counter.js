// Attendee form: how many characters are left, shown as the note is typed (the limit is the
// textarea's maxlength; without JavaScript the hint above the box says it).
(function () {
  var box = document.getElementById("text");
  var counter = document.getElementById("text-counter");
  if (!box || !counter || !box.maxLength || box.maxLength < 0) { return; }
  function show() {
    var left = box.maxLength - box.value.length;
    counter.textContent = box.value.length.toLocaleString("en-GB") + " of " +
      box.maxLength.toLocaleString("en-GB") + " characters" + (left < 500 ? " (" + left.toLocaleString("en-GB") + " left)" : "");
  }
  counter.hidden = false;
  box.addEventListener("input", show);
  show();
})();
