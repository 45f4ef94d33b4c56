'use strict';
// The base class of this test adapter, in the shape IAP adapters have: an EventEmitter that
// builds adapter-utils' RequestHandler from the instance's properties, checks health on
// connect() and emits ONLINE / OFFLINE. (Written for opsflow's tests; real adapters ship their
// own, larger adapterBase.js.)
/* global log */
const EventEmitter = require('events');
const { RequestHandler } = require('@itentialopensource/adapter-utils');

class AdapterBase extends EventEmitter {
  constructor(prongid, properties) {
    super();
    this.id = prongid;
    this.props = properties;
    this.healthy = false;
    this.requestHandlerInst = new RequestHandler(this.id, this.props, __dirname);
  }

  connect() {
    const origin = `${this.id}-adapterBase-connect`;
    log.trace(origin);
    this.healthCheck(null, (status) => {
      this.healthy = !!status;
      this.emit(this.healthy ? 'ONLINE' : 'OFFLINE', { id: this.id });
    });
  }

  healthCheck(reqObj, callback) {
    const hc = this.props.healthcheck || {};
    if (this.props.stub || hc.type === 'none') return callback(true);
    return this.requestHandlerInst.identifyHealthcheck(reqObj || {}, (res, error) => {
      if (error) {
        log.warn(`${this.id}: healthcheck failed: ${error.IAPerror ? error.IAPerror.displayString : error}`);
        return callback(false);
      }
      return callback(true);
    });
  }

  // Runs an action of an entity and hands back adapter-utils' result or error object.
  call(entity, action, reqObj, callback) {
    try {
      return this.requestHandlerInst.identifyRequest(entity, action, reqObj, true, (data, error) => {
        if (error) return callback(null, error);
        return callback(data, null);
      });
    } catch (e) {
      const errorObj = this.requestHandlerInst.formatErrorObject(this.id, action, 'Caught Exception', null, null, null, e);
      return callback(null, errorObj);
    }
  }
}

module.exports = AdapterBase;
