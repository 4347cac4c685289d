package io.tandem.capture.internal.osgi;

import io.tandem.api.CaptureFactory;
import io.tandem.api.CaptureSession;
import io.tandem.api.HashDatabase;
import io.tandem.api.PacketSource;
import io.tandem.capture.LiveCaptureSource;
import io.tandem.capture.LiveCaptureStats;
import io.tandem.capture.LoopedCapture;
import io.tandem.capture.PacedSource;
import io.tandem.capture.PcapFileSource;
import io.tandem.capture.RandomDrop;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * Publishes the {@link CaptureFactory} (config pid {@code io.tandem.capture}) while a source is configured: an
 * interface (live capture) or else a pcap file or folder. The random drop applies live to open captures; a change
 * of source applies at the next open.
 */
@Component(configurationPid = CaptureConfig.PID, immediate = true, service = {})
public class CaptureComponent implements CaptureFactory {
    private static final Logger LOG = LoggerFactory.getLogger(CaptureComponent.class);

    private final Set<Session> sessions = new CopyOnWriteArraySet<>();
    private BundleContext context;
    private ServiceRegistration<CaptureFactory> registration;
    private volatile CaptureConfig config;

    @Activate
    synchronized void activate(BundleContext context, Map<String, ?> props) {
        this.context = context;
        apply(props);
    }

    @Modified
    synchronized void modified(Map<String, ?> props) {
        CaptureConfig before = config;
        if (!apply(props) || before == null) return;
        if (!config.drop().equals(before.drop()) || config.dropSeed() != before.dropSeed()) {
            for (Session s : sessions) s.setRandomDrop(config.randomDrop());
            if (!sessions.isEmpty()) LOG.info("{}: random drop is now '{}'", CaptureConfig.PID, config.drop());
        }
        if (!sessions.isEmpty() && config.hasSource() && !config.sameSource(before)) {
            LOG.info("{}: {} applies at the next open; the running capture keeps its source until the replica restarts", CaptureConfig.PID, config);
        }
    }

    /** False if the configuration is bad (logged, the previous one stays). */
    private boolean apply(Map<String, ?> props) {
        CaptureConfig c;
        try {
            c = CaptureConfig.parse(props);
        } catch (IllegalArgumentException e) {
            LOG.error("{}: {}; {}", CaptureConfig.PID, e.getMessage(), config == null ? "no capture until this is fixed" : "keeping " + config);
            return false;
        }
        config = c;
        if (!c.hasSource()) {
            LOG.warn("{}: no source configured (set interface or source.file in etc/{}.cfg): this replica does not capture", CaptureConfig.PID, CaptureConfig.PID);
            if (registration != null) registration.unregister();
            registration = null;
        } else if (registration == null) {
            registration = context.registerService(CaptureFactory.class, this, null);
        }
        return true;
    }

    @Deactivate
    synchronized void deactivate() {
        if (registration != null) registration.unregister();
        registration = null;
        for (Session s : List.copyOf(sessions)) s.close();
    }

    @Override
    public CaptureSession open(HashDatabase db) throws IOException {
        CaptureConfig c = config;
        if (c == null || !c.hasSource()) throw new IOException(CaptureConfig.PID + ": no source configured");
        RandomDrop drop = c.randomDrop();
        if (c.live() != null) {
            LiveCaptureSource live = LiveCaptureSource.open(c.live());
            return register(new Session(live, db, drop, Integer.MAX_VALUE, () -> {
                LiveCaptureStats st = live.stats();
                return st.dropped() + st.ifDropped();
            }, sessions::remove), drop);
        }
        PacketSource source = c.loopPackets() > 0 ? LoopedCapture.load(c.sourceFile()).cursor(c.loopPackets()) : new PcapFileSource(c.sourceFile());
        int maxPerCall = Integer.MAX_VALUE;
        if (c.pps() > 0) {
            source = new PacedSource(source, c.pps());
            maxPerCall = Math.max(1, c.pps() / 20);
        }
        return register(new Session(source, db, drop, maxPerCall, () -> 0, sessions::remove), drop);
    }

    private Session register(Session s, RandomDrop drop) {
        sessions.add(s);
        LOG.info("{}: capturing {}, {}", CaptureConfig.PID, s.describe(), drop);
        return s;
    }
}
