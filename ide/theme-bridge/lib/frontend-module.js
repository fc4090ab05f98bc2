// @ts-check
/*
 * Follows the Coditect wrapper page that frames the IDE: the page sends {type: 'coditect.theme', theme: 'light' |
 * 'dark'} with postMessage and this switches Theia's theme; back it goes {type: 'coditect.connection', ...} so the
 * page can tell a dropped connection (reconnecting) from a refused one (1008: signed out).
 *
 * Messages are accepted only from the framing window and only from the web app's origin, which the workspace
 * names in CODITECT_WEB_ORIGIN (served by the backend module at /coditect/web-origin); without one configured,
 * the framing page's origin as the browser reports it (the sidecar lets only the web app frame the IDE).
 * Plain CommonJS so the extension needs no compile step of its own.
 */
'use strict';
const { ContainerModule } = require('@theia/core/shared/inversify');
const { FrontendApplicationContribution } = require('@theia/core/lib/browser/frontend-application-contribution');
const { ThemeService } = require('@theia/core/lib/browser/theming');
const { WebSocketConnectionSource } = require('@theia/core/lib/browser/messaging/ws-connection-source');

const THEMES = { light: 'light', dark: 'dark' };

/** The web app's origin: configured for the workspace, else the framing page's origin, else none (no messages). */
async function webOrigin() {
    try {
        const reply = await fetch('coditect/web-origin', { credentials: 'same-origin' });
        if (reply.ok) {
            const origin = (await reply.text()).trim();
            if (origin) {
                return origin;
            }
        }
    } catch (e) {
        // fall through to what the browser says
    }
    const ancestors = window.location.ancestorOrigins;
    if (ancestors && ancestors.length > 0) {
        return ancestors[0];
    }
    return undefined;
}

function bridge(container) {
    return {
        async onStart() {
            if (window.parent === window) {
                return; // not framed: nothing to follow
            }
            const origin = await webOrigin();
            if (!origin) {
                return;
            }
            const themes = container.get(ThemeService);
            // Theia re-applies the configured theme once preferences are read; apply ours after that, and keep it as
            // the configured one, so the IDE's own setting follows the wrapper's.
            if (themes.preferences && themes.preferences.ready) {
                await themes.preferences.ready;
            }
            const post = message => window.parent.postMessage(message, origin);
            window.addEventListener('message', event => {
                if (event.source !== window.parent || event.origin !== origin) {
                    return;
                }
                const data = event.data;
                if (data && data.type === 'coditect.theme' && Object.prototype.hasOwnProperty.call(THEMES, data.theme)) {
                    themes.setCurrentTheme(THEMES[data.theme], true);
                    post({ type: 'coditect.theme.applied', theme: data.theme });
                }
            });
            const connection = container.get(WebSocketConnectionSource);
            const follow = () => {
                const socket = connection.socket;
                if (!socket) {
                    return false;
                }
                socket.on('connect', () => post({ type: 'coditect.connection', state: 'online' }));
                socket.on('disconnect', (reason, details) => {
                    const code = details && details.context && typeof details.context.code === 'number'
                        ? details.context.code : undefined;
                    post({ type: 'coditect.connection', state: 'closed', code, reason: String(reason) });
                });
                if (socket.connected) {
                    post({ type: 'coditect.connection', state: 'online' });
                }
                return true;
            };
            if (!follow()) {
                connection.onSocketDidOpen(() => follow());
            }
            post({ type: 'coditect.ide.ready', theme: themes.getCurrentTheme().type });
        }
    };
}

exports.default = new ContainerModule(bind => {
    bind(FrontendApplicationContribution).toDynamicValue(ctx => bridge(ctx.container)).inSingletonScope();
});
