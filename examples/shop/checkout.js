// The checkout works without this script. With it, an open checkout asks charta's public API
// which edition is in force (a cross-origin GET: charta answers every origin, and no token is
// ever sent from the browser) and says so at once when another edition takes effect, so the
// person reads the new text before agreeing. The server checks again when the form is sent.
'use strict';

const form = document.querySelector('form[data-charta-current]');
if (form) {
  const note = document.getElementById('edition-changed');
  const every = Number(form.dataset.pollMs) || 30000;
  let etag = null;
  const poll = async () => {
    try {
      const r = await fetch(form.dataset.chartaCurrent, {
        cache: 'no-store',
        headers: etag ? { 'If-None-Match': etag } : {},
      });
      if (r.status === 200) {
        etag = r.headers.get('ETag');
        const current = await r.json();
        if (current.edition !== form.dataset.edition) {
          note.textContent = `Вступила в силу новая редакция политики (${current.edition}). ` +
            'Обновите страницу, чтобы прочитать её перед тем, как дать согласие.';
          note.hidden = false;
        }
      }
    } catch (e) {
      // charta unreachable from the browser: the server still checks on submit.
    }
    setTimeout(poll, every);
  };
  poll();
}
