/** The page's shell; everything in it is filled by client.ts from /workspace/screen. */
export function pageHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Jumpgate · local workspace</title>
<link rel="stylesheet" href="/workspace/style.css">
<script type="module" src="/workspace/client.js"></script>
</head>
<body>
<header class="banner">
  <strong>Jumpgate · local workspace</strong>
  <span>This page stands in for Slack; Redis, the jobs, the broker and the workflows are real.
  To connect a real Slack: create the app from <code>manifest.yml</code>, then set <code>SLACK_BOT_TOKEN</code> with
  <code>SLACK_APP_TOKEN</code> (Socket Mode) or <code>SLACK_SIGNING_SECRET</code> (HTTP mode) and run <code>npm start</code> again.</span>
</header>
<div class="layout">
  <nav class="sidebar">
    <label class="you">You are <select id="person"></select></label>
    <div id="role" class="role"></div>
    <button class="conv" data-conversation="home">Home (Jumpgate)</button>
    <div id="conversations"></div>
  </nav>
  <main>
    <h1 id="title"></h1>
    <div id="messages" class="messages" aria-live="polite"></div>
    <form id="composer" class="composer">
      <input id="composer-text" autocomplete="off" placeholder="/jump request prod-db 30m fix replication INC-42">
      <button class="btn primary" type="submit">Send</button>
    </form>
    <div class="examples">Try: <code>/jump help</code> · <code>/jump targets</code> · <code>/jump request prod-db 30m fix replication INC-42</code> · <code>/jump breakglass prod-db 15m primary down INC-7</code> · <code>/jump request</code> (the form)</div>
  </main>
  <aside class="panels">
    <section><h3>SSH</h3><div id="ssh"></div></section>
    <section id="incident-section"><h3>Incidents (stands in for PagerDuty)</h3><div id="incidents"></div></section>
  </aside>
</div>
<div id="overlay" class="overlay" hidden></div>
<dialog id="dialog"><div id="dialog-body"></div><form method="dialog"><button class="btn">Close</button></form></dialog>
</body>
</html>`;
}
