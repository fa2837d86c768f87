// The query page: YASGUI bound to this endpoint, example queries as buttons, and result links that
// dereference here even when the data's base URI names another host (a local or staging server).
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("kg-sparql-config").textContent);
  var examples = {};
  config.examples.forEach(function (e) { examples[e.id] = e; });
  // A link to page#example=ID opens and runs that example (shareable, and used to check the page works).
  // Read before YASGUI starts: it rewrites the URL for its own share links.
  var wanted = /^#example=([\w-]+)$/.exec(window.location.hash);

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: {
      endpoint: config.endpoint,
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json",
      acceptHeaderGraph: "text/turtle"
    },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: config.endpoint }]; } },
    persistenceId: "kg-sparql",
    // Only autocompleters that work offline: the others call the Linked Open Vocabularies API.
    yasqe: { autocompleters: ["variables"], value: config.examples.length ? config.examples[0].query : "" }
  });

  function currentTab() { return yasgui.getTab(); }

  function runExample(id) {
    if (!examples[id]) { return; }
    var tab = currentTab();
    tab.setEndpoint(config.endpoint);
    tab.setQuery(examples[id].query);
    tab.query();
  }

  document.getElementById("examples").addEventListener("click", function (event) {
    var button = event.target.closest("button[data-example]");
    if (!button) { return; }
    window.history.replaceState(null, "", "#example=" + button.getAttribute("data-example"));
    runExample(button.getAttribute("data-example"));
  });

  // YASGUI finishes building its first tab after this script has run: start on the next turn.
  if (wanted) { window.setTimeout(function () { runExample(wanted[1]); }, 0); }

  // Rewrite links to the canonical base URI so that they dereference on this server.
  var base = config.baseUri.replace(/\/$/, "");
  var here = window.location.origin;
  if (base && base !== here) {
    var rewrite = function (root) {
      root.querySelectorAll('a[href^="' + base + '/"]').forEach(function (a) {
        a.setAttribute("title", a.getAttribute("href"));
        a.setAttribute("href", here + a.getAttribute("href").slice(base.length));
      });
    };
    new MutationObserver(function (mutations) {
      mutations.forEach(function (m) { m.addedNodes.forEach(function (n) { if (n.querySelectorAll) { rewrite(n); } }); });
    }).observe(document.getElementById("yasgui"), { childList: true, subtree: true });
  }
})();
