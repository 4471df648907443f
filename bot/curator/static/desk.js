// Meja Kurator: the pages work without this file; it only stops a second click while the bot
// rebuilds its knowledge (a save can take a few seconds on a small server).
document.addEventListener("submit", function (event) {
  var button = event.target.querySelector("button[type=submit]");
  if (button && !button.disabled) {
    button.textContent = "Sedang diproses…";
    setTimeout(function () { button.disabled = true; }, 0);
  }
});
