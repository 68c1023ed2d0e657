// Digest tab: a warning before leaving the page with Markdown typed and not saved. Publish and
// Save draft send the box's text (the server saves it first), so submitting never warns; without
// JavaScript nothing is lost that way either, only a plain link away goes unwarned.
(function () {
  var box = document.getElementById("markdown");
  if (!box) { return; }
  var shown = box.value;
  var submitting = false;
  document.addEventListener("submit", function () { submitting = true; });
  window.addEventListener("beforeunload", function (event) {
    // data-unsaved: the page came back from a refused save with the text as typed, not stored.
    if (submitting || (box.value === shown && !box.hasAttribute("data-unsaved"))) { return; }
    event.preventDefault();
    event.returnValue = "";
  });
})();
