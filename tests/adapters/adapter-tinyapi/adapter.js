'use strict';
// TinyApi: a test adapter in IAP's package format for a tiny HTTP API served by the test
// (tests/adapter_host.py). Each task method takes the inputs of pronghorn.json in order, then
// the callback (result, error).
/* global log */
const AdapterBase = require('./adapterBase');

class TinyApi extends AdapterBase {
  getItems(color, callback) {
    log.debug(`${this.id}-adapter-getItems`);
    const uriQuery = {};
    if (color !== undefined && color !== null && color !== '') uriQuery.color = color;
    return this.call('Items', 'getItems', { payload: {}, uriPathVars: [], uriQuery }, callback);
  }

  getItem(id, callback) {
    log.debug(`${this.id}-adapter-getItem`);
    if (id === undefined || id === null || id === '') {
      const errorObj = this.requestHandlerInst.formatErrorObject(this.id, 'getItem', 'Missing Data', ['id'], null, null, null);
      return callback(null, errorObj);
    }
    return this.call('Items', 'getItem', { payload: {}, uriPathVars: [id], uriQuery: {} }, callback);
  }

  createItem(name, body, callback) {
    log.debug(`${this.id}-adapter-createItem`);
    const payload = Object.assign({}, (body && typeof body === 'object') ? body : {}, { name });
    return this.call('Items', 'createItem', { payload, uriPathVars: [], uriQuery: {} }, callback);
  }

  getGone(callback) {
    return this.call('Items', 'getGone', { payload: {}, uriPathVars: [], uriQuery: {} }, callback);
  }

  // eslint-disable-next-line no-unused-vars
  waitForever(callback) {
    log.info(`${this.id}: waitForever will not call back`);
  }

  // eslint-disable-next-line class-methods-use-this
  throwNow() {
    throw new Error('throwNow always throws');
  }
}

module.exports = TinyApi;
