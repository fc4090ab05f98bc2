// @ts-check
/*
 * Serves the web app's origin (CODITECT_WEB_ORIGIN) to the frontend module, which accepts theme messages only from
 * that origin. The value is public: it is the origin allowed to frame the IDE anyway.
 */
'use strict';
const { ContainerModule } = require('@theia/core/shared/inversify');
const { BackendApplicationContribution } = require('@theia/core/lib/node/backend-application');

const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?$/;

exports.default = new ContainerModule(bind => {
    bind(BackendApplicationContribution).toConstantValue({
        configure(app) {
            const configured = (process.env.CODITECT_WEB_ORIGIN || '').trim();
            const origin = ORIGIN.test(configured) ? configured : '';
            app.get('/coditect/web-origin', (request, response) => {
                response.type('text/plain').set('Cache-Control', 'no-store').send(origin);
            });
        }
    });
});
