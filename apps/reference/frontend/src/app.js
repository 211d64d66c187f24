// tdah reference frontend: shows the API's release and health.
(function () {
  "use strict";
  var out = document.getElementById("status");
  fetch("/health/overall", {cache: "no-store"})
    .then(function (r) { return r.json(); })
    .then(function (h) { out.textContent = "API " + h.version + ": " + h.status; })
    .catch(function () { out.textContent = "API unreachable"; });
})();
