// Starts swagger-ui on the served OpenAPI document (callaudit /docs).
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    // Relative, so the docs work when the API is mounted under a prefix.
    url: "openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
