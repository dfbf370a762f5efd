#include "service/webhooks.h"

#include <algorithm>
#include <cmath>
#include <iostream>

#include "core/error.h"
#include "core/json_text.h"
#include "ledger/outbox.h"
#include "service/webhook_delivery.h"

namespace charta::service {

using core::Instant;
using core::jsonQuote;
using ledger::DeliveryState;

namespace {

void logLine(const char* level, const std::string& msg, const std::string& extra) {
  std::string line = "{\"time\":\"" + core::formatRfc3339(core::now()) + "\",\"level\":\"" + level +
                     "\",\"msg\":" + jsonQuote(msg) + extra + "}\n";
  std::cerr << line << std::flush;
}

ledger::OutboxEvent outboxEvent(const WebhookEvent& e) {
  return ledger::OutboxEvent{e.id, e.type, e.occurredAt, e.body};
}

}  // namespace

WebhookService::WebhookService(WebhookOptions options, TimelineSource timelines,
                               WebhookCounter count)
    : options_(std::move(options)), timelines_(std::move(timelines)), count_(std::move(count)) {}

WebhookService::~WebhookService() { stop(); }

void WebhookService::start() {
  if (options_.subscriptions.empty() || !threads_.empty()) return;
  for (const auto& s : options_.subscriptions) {
    senders_.push_back(std::make_unique<WebhookSender>(s, options_.timeout));
  }
  outbox_ = std::make_unique<ledger::WebhookOutbox>(options_.outbox);
  recordBaselines();
  threads_.emplace_back([this] { schedulerLoop(); });
  for (const auto& sender : senders_) {
    threads_.emplace_back([this, s = sender.get()] { deliveryLoop(*s); });
  }
}

// A new subscription starts from what the site shows now: everything that already happened is
// recorded as its baseline, never sent. (Tag times have whole seconds, so a time threshold could
// not tell an edition published just before from one just after.)
void WebhookService::recordBaselines() {
  Timelines site = timelines_();
  const Instant t = site.now;
  for (const auto& s : options_.subscriptions) {
    if (outbox_->knownSubscription(s.name, t)) continue;
    for (const auto& d : site.documents) {
      for (const WebhookEvent& ev : dueEvents(*d.timeline, Instant{}, t)) {
        outbox_->enqueue(s.name, outboxEvent(ev), t, DeliveryState::kBaseline);
      }
    }
  }
}

void WebhookService::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void WebhookService::poke() {
  {
    std::lock_guard lock(mu_);
    poked_ = true;
  }
  cv_.notify_all();
}

void WebhookService::announce(const core::DocumentId& doc, WebhookEvent event) {
  if (options_.subscriptions.empty()) return;
  {
    std::lock_guard lock(mu_);
    announced_.emplace_back(doc.str(), std::move(event));
    poked_ = true;
  }
  cv_.notify_all();
}

void WebhookService::reconcile(const Timelines& site, Instant now) {
  bool added = false;
  std::vector<std::pair<std::string, WebhookEvent>> events;
  {
    std::lock_guard lock(mu_);
    events = std::move(announced_);
    announced_.clear();
  }
  for (const auto& d : site.documents) {
    for (WebhookEvent& ev : dueEvents(*d.timeline, Instant{}, now)) {
      events.emplace_back(d.doc.str(), std::move(ev));
    }
  }
  for (const auto& [doc, ev] : events) {
    for (const auto& s : options_.subscriptions) {
      if (!s.events.count(ev.type)) continue;
      std::string key = s.name + "|" + ev.id;
      if (queued_.count(key)) continue;
      bool fresh = outbox_->enqueue(s.name, outboxEvent(ev), now);
      queued_.insert(key);
      if (!fresh) continue;
      added = true;
      count_("charta_webhook_events_total{type=\"" + ev.type + "\"}");
      logLine("info", "webhook event queued",
              ",\"subscription\":" + jsonQuote(s.name) + ",\"event_id\":\"" + ev.id +
                  "\",\"type\":\"" + ev.type + "\",\"document\":" + jsonQuote(doc));
    }
  }
  if (added) {
    {
      std::lock_guard lock(mu_);
      ++wakeups_;
    }
    cv_.notify_all();
  }
}

void WebhookService::schedulerLoop() {
  uint64_t lastGeneration = 0;
  Instant due = Instant::max();  // the next scheduled effective moment
  while (true) {
    Timelines site = timelines_();
    const Instant now = site.now;  // the events due are decided at the moment they were taken
    bool poked;
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
      poked = poked_;
      poked_ = false;
    }
    if (site.generation != lastGeneration || now >= due || poked) {
      try {
        reconcile(site, now);
        lastGeneration = site.generation;
      } catch (const std::exception& e) {
        logLine("error", "webhook scheduler failed; retrying", ",\"error\":" + jsonQuote(e.what()));
      }
    }
    due = Instant::max();
    for (const auto& d : site.documents) {
      if (auto n = d.timeline->nextSwitchAfter(now)) due = std::min(due, *n);
    }
    // Sleep until the next effective moment itself, or the next look for new editions.
    // (In milliseconds: Instant::max() in nanoseconds would overflow into the past.)
    Instant wake = std::min(core::now() + options_.poll, due);
    std::unique_lock lock(mu_);
    cv_.wait_until(lock, wake, [&] { return stop_ || poked_; });
  }
}

void WebhookService::deliveryLoop(const WebhookSender& sender) {
  const WebhookSubscription& sub = sender.subscription();
  std::mt19937_64 rng(std::random_device{}());
  while (true) {
    uint64_t seen;
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
      seen = wakeups_;
    }
    std::optional<ledger::PendingDelivery> row;
    try {
      row = outbox_->nextDue(sub.name);
    } catch (const std::exception& e) {
      logLine("error", "webhook outbox unreadable", ",\"error\":" + jsonQuote(e.what()));
    }
    if (row && row->next <= core::now()) {
      settle(sub, *row, sender.post(*row, row->attempts + 1), rng);
      continue;
    }
    auto wake = std::chrono::system_clock::now() + std::chrono::seconds(5);
    if (row) wake = std::min(wake, std::chrono::system_clock::time_point(row->next));
    std::unique_lock lock(mu_);
    cv_.wait_until(lock, wake, [&] { return stop_ || wakeups_ != seen; });
  }
}

// Records the outcome of one attempt: delivered, abandoned after the last attempt, or pending
// again after an exponential back-off.
void WebhookService::settle(const WebhookSubscription& sub, const ledger::PendingDelivery& row,
                            const DeliveryAttempt& attempt, std::mt19937_64& rng) {
  std::string fields = ",\"subscription\":" + jsonQuote(sub.name) + ",\"event_id\":\"" +
                       row.eventId + "\",\"type\":\"" + row.type +
                       "\",\"attempt\":" + std::to_string(attempt.number) +
                       ",\"status\":" + std::to_string(attempt.status) +
                       ",\"duration_ms\":" + std::to_string(attempt.took.count());
  std::string label = "{subscription=\"" + sub.name + "\"}";
  const std::string& error = attempt.error;
  try {
    if (error.empty()) {
      outbox_->record(sub.name, row.eventId, DeliveryState::kDelivered, attempt.number, core::now(),
                      "");
      count_("charta_webhook_deliveries_total" + label);
      logLine("info", "webhook delivered", fields);
    } else if (attempt.number >= options_.maxAttempts) {
      outbox_->record(sub.name, row.eventId, DeliveryState::kAbandoned, attempt.number, core::now(),
                      error);
      count_("charta_webhook_failures_total" + label);
      count_("charta_webhook_abandoned_total" + label);
      logLine("error", "webhook abandoned", fields + ",\"error\":" + jsonQuote(error));
    } else {
      // Exponential back-off with +-20% jitter, so receivers coming back are not stampeded.
      double wait = static_cast<double>(options_.retryBase.count()) *
                    std::pow(2.0, std::min(attempt.number - 1, 30));
      wait = std::min(wait, static_cast<double>(options_.retryMax.count()));
      wait *= std::uniform_real_distribution<double>(0.8, 1.2)(rng);
      auto retryIn = std::chrono::milliseconds(static_cast<int64_t>(wait));
      outbox_->record(sub.name, row.eventId, DeliveryState::kPending, attempt.number,
                      core::now() + retryIn, error);
      count_("charta_webhook_failures_total" + label);
      logLine("warn", "webhook delivery failed",
              fields + ",\"error\":" + jsonQuote(error) +
                  ",\"retry_in_ms\":" + std::to_string(retryIn.count()));
    }
  } catch (const std::exception& e) {
    logLine("error", "webhook outbox not writable", ",\"error\":" + jsonQuote(e.what()));
  }
}

}  // namespace charta::service
