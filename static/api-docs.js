// Starts Swagger UI on the API documentation page. A file, not an inline script, so that the
// page keeps a Content-Security-Policy without 'unsafe-inline' for scripts.
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: root.dataset.openapiUrl, dom_id: "#swagger-ui", deepLinking: true });
});
