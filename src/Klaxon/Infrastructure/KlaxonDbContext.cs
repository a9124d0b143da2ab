using Klaxon.Escalations;
using Microsoft.EntityFrameworkCore;

namespace Klaxon.Infrastructure;

/// <summary>
/// Klaxon's database, on SQLite or PostgreSQL. The schema comes from the hand-written migrations in
/// <c>Migrations/</c>; column names are snake_case and instants are stored as Unix milliseconds, so both
/// providers store and order them alike.
/// </summary>
public sealed class KlaxonDbContext(DbContextOptions<KlaxonDbContext> options) : DbContext(options)
{
    public DbSet<StoredCalendar> Calendars => Set<StoredCalendar>();
    public DbSet<UserRow> Users => Set<UserRow>();
    public DbSet<TokenRow> Tokens => Set<TokenRow>();
    public DbSet<GroupRow> Groups => Set<GroupRow>();
    public DbSet<GroupMemberRow> GroupMembers => Set<GroupMemberRow>();
    public DbSet<ProjectRow> Projects => Set<ProjectRow>();
    public DbSet<RoleRow> Roles => Set<RoleRow>();
    public DbSet<MemberRow> Members => Set<MemberRow>();
    public DbSet<TrackerRow> Trackers => Set<TrackerRow>();
    public DbSet<ItemRow> Items => Set<ItemRow>();
    public DbSet<HistoryRow> History => Set<HistoryRow>();
    public DbSet<LinkRow> Links => Set<LinkRow>();
    public DbSet<ViewRow> Views => Set<ViewRow>();
    public DbSet<EscalationGroupRow> EscalationGroups => Set<EscalationGroupRow>();
    public DbSet<EscalationRow> Escalations => Set<EscalationRow>();
    public DbSet<MessageRow> Messages => Set<MessageRow>();
    public DbSet<NodeRow> Nodes => Set<NodeRow>();
    public DbSet<Delivery.WebhookRow> Webhooks => Set<Delivery.WebhookRow>();
    public DbSet<Delivery.RateWindowRow> RateWindows => Set<Delivery.RateWindowRow>();
    public DbSet<OnCallShiftRow> OnCallShifts => Set<OnCallShiftRow>();

    /// <summary>
    /// The configuration version this context read last (<see cref="ConfigCache"/>), reused until the context writes
    /// anything (<see cref="ConfigCache.WriteWatch"/>) or goes back to the pool at the end of its request.
    /// </summary>
    internal long? ConfigVersion { get; set; }

    public override void Dispose()
    {
        ConfigVersion = null;
        base.Dispose();
    }

    public override ValueTask DisposeAsync()
    {
        ConfigVersion = null;
        return base.DisposeAsync();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<StoredCalendar>(calendar =>
        {
            calendar.ToTable("calendars");
            calendar.HasKey(c => c.Id);
            calendar.Property(c => c.Id).HasColumnName("id").HasMaxLength(64);
            calendar.Property(c => c.Name).HasColumnName("name");
            calendar.Property(c => c.Definition).HasColumnName("definition");
            calendar.Property(c => c.Version).HasColumnName("version").IsConcurrencyToken();
            calendar.Property(c => c.UpdatedAt).HasColumnName("updated_at");
        });
        modelBuilder.Entity<UserRow>(e =>
        {
            e.ToTable("users");
            e.HasKey(x => x.Login);
        });
        modelBuilder.Entity<TokenRow>(e =>
        {
            e.ToTable("tokens");
            e.HasIndex(x => x.Hash).IsUnique();
        });
        modelBuilder.Entity<GroupRow>(e =>
        {
            e.ToTable("groups");
            e.HasKey(x => x.Name);
        });
        modelBuilder.Entity<GroupMemberRow>(e =>
        {
            e.ToTable("group_members");
            e.HasKey(x => new { x.GroupName, x.Login });
        });
        modelBuilder.Entity<ProjectRow>(e =>
        {
            e.ToTable("projects");
            e.HasKey(x => x.Key);
            e.Property(x => x.Version).IsConcurrencyToken();
        });
        modelBuilder.Entity<RoleRow>(e =>
        {
            e.ToTable("roles");
            e.HasKey(x => new { x.ProjectKey, x.Name });
        });
        modelBuilder.Entity<MemberRow>(e =>
        {
            e.ToTable("members");
            e.HasKey(x => new { x.ProjectKey, x.Kind, x.Principal });
        });
        modelBuilder.Entity<TrackerRow>(e =>
        {
            e.ToTable("trackers");
            e.HasKey(x => x.Key);
            e.Property(x => x.Version).IsConcurrencyToken();
        });
        modelBuilder.Entity<ItemRow>(e =>
        {
            e.ToTable("items");
            e.HasIndex(x => x.Key).IsUnique();
            e.HasIndex(x => new { x.ProjectKey, x.TrackerKey, x.Status, x.Priority });
            e.Property(x => x.Version).IsConcurrencyToken();
        });
        modelBuilder.Entity<HistoryRow>(e =>
        {
            e.ToTable("history");
            e.HasIndex(x => new { x.ItemId, x.Id });
            e.HasOne<ItemRow>().WithMany().HasForeignKey(x => x.ItemId);
        });
        modelBuilder.Entity<LinkRow>(e =>
        {
            e.ToTable("links");
            e.HasIndex(x => new { x.ItemId, x.Type, x.TargetItemId }).IsUnique();
            e.HasIndex(x => x.TargetItemId);
        });
        modelBuilder.Entity<ViewRow>(e =>
        {
            e.ToTable("views");
            e.HasIndex(x => x.ProjectKey);
            e.Property(x => x.Version).IsConcurrencyToken();
        });

        modelBuilder.Entity<EscalationGroupRow>(e =>
        {
            e.ToTable("escalation_groups");
            e.HasIndex(x => x.TrackerKey);
            e.Property(x => x.Version).IsConcurrencyToken();
        });
        modelBuilder.Entity<EscalationRow>(e =>
        {
            e.ToTable("escalations");
            e.HasIndex(x => new { x.Status, x.Due });
            e.HasIndex(x => x.ItemId);
            // A row changes state under a condition on its state: a claim by another node makes a stale write fail.
            e.Property(x => x.Status).IsConcurrencyToken();
        });
        modelBuilder.Entity<MessageRow>(e =>
        {
            e.ToTable("messages");
            e.HasIndex(x => new { x.FireId, x.Recipient }).IsUnique();
            e.HasIndex(x => x.ItemId);
            e.HasIndex(x => new { x.Status, x.NextAttemptAt });
            e.HasIndex(x => new { x.Recipient, x.Id });
        });
        modelBuilder.Entity<Delivery.WebhookRow>(e =>
        {
            e.ToTable("webhooks");
            e.HasIndex(x => x.ProjectKey);
        });
        modelBuilder.Entity<Delivery.RateWindowRow>(e =>
        {
            e.ToTable("rate_windows");
            e.HasKey(x => new { x.Recipient, x.ProjectKey });
        });
        modelBuilder.Entity<OnCallShiftRow>(e =>
        {
            e.ToTable("on_call_shifts");
            e.HasIndex(x => new { x.ProjectKey, x.StartsAt });
        });
        modelBuilder.Entity<NodeRow>(e =>
        {
            e.ToTable("nodes");
            e.HasKey(x => x.Id);
        });

        // snake_case columns for every entity above (calendars name theirs explicitly).
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                if (property.GetColumnName() is { } name && name == property.Name)
                    property.SetColumnName(SnakeCase(property.Name));
            }
        }
    }

    private static string SnakeCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));
}
