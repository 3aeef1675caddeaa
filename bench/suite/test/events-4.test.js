require('../lib/events-case')('emitter 4');
