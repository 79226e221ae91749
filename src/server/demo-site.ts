/**
 * The demo site: one page that embeds the tracker snippet with the demo workspace's write key,
 * so a newcomer's own visit, form and campaign clicks arrive in the demo workspace.
 */
export function demoSitePage(writeKey: string): string {
  const key = writeKey.replace(/[^\w-]/g, '');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme Analytics · a Closedloop demo site</title>
<script defer src="/t.js" data-key="${key}"></script>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; color: #1f2933; }
  form { display: flex; gap: .5rem; margin: 1.5rem 0; }
  input, button { font: inherit; padding: .4rem .6rem; }
  code { background: #f0f4f8; padding: .1rem .3rem; }
</style>
</head>
<body>
<h1>Acme Analytics</h1>
<p>This page embeds the Closedloop tracker. Your visit has just been sent to the
<code>demo</code> workspace, with the link you came from and any UTM tags in the address.</p>
<p>Come back as if from a campaign:
<a href="/demo-site/?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=spring">the spring newsletter</a>,
<a href="/demo-site/?utm_source=google&amp;utm_medium=cpc&amp;utm_campaign=brand&amp;gclid=demo">a Google ad</a>.</p>
<form id="demo-request">
  <input type="email" name="email" placeholder="you@example.com" required aria-label="Work email">
  <button>Request a demo</button>
</form>
<p id="thanks" hidden>Thanks! You are now a lead in the demo workspace. See your journey:
<code>npx closedloop journey --workspace demo --email YOUR_EMAIL</code></p>
<script>
  // The tracker reads the submitted form on its own; this page only stays where it is.
  document.getElementById('demo-request').addEventListener('submit', function (event) {
    event.preventDefault();
    document.getElementById('thanks').hidden = false;
  });
</script>
</body>
</html>
`;
}
