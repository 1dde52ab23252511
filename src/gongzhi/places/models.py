"""The territory: district → street/town → community/village → grid, and the
places people live in: estate → building → (unit) → dwelling.

Administrative levels share one table (`Place`) so that a role assigned at any
level has one uniform scope: the place and every place whose `path` starts
with its path. Estates, buildings and dwellings carry their community and grid
directly so that scoped queries never walk the tree.
"""
from django.core.exceptions import ValidationError
from django.db import models

from gongzhi.core import codes


class Level(models.TextChoices):
    DISTRICT = "district", "区/县"
    STREET = "street", "街道/镇"
    COMMUNITY = "community", "社区/村"
    GRID = "grid", "网格"


LEVEL_DEPTH = {Level.DISTRICT: 0, Level.STREET: 1, Level.COMMUNITY: 2, Level.GRID: 3}


class AreaKind(models.TextChoices):
    URBAN = "urban", "城市社区"
    RURAL = "rural", "农村社区"


class CommunityType(models.TextChoices):
    ORDINARY = "ordinary", "普通型"
    UNIT = "unit", "单位型"
    MARKET_TOWN = "market_town", "集镇型"


class CityZone(models.TextChoices):
    """Where a district or street lies in its city (e.g. Wuhan's 中心城区 / 远城区, P-STAFF-2);
    a community takes its street's, else its district's."""
    CENTRAL = "central", "中心城区"
    OUTER = "outer", "远城区"


class GridKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", "综合网格"
    DEDICATED = "dedicated", "专属网格"


class Place(models.Model):
    level = models.CharField("层级", max_length=12, choices=Level.choices, db_index=True)
    code = models.CharField("代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=100)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    # "/320282/320282001/320282001001/" — every ancestor's code, for scope.
    path = models.CharField(max_length=255, unique=True, editable=False)
    # Streets: town (镇) or street office (街道). Communities: urban or rural.
    is_town = models.BooleanField("镇", default=False)
    area_kind = models.CharField("城乡", max_length=8, choices=AreaKind.choices, blank=True)
    community_type = models.CharField("社区类型", max_length=16, choices=CommunityType.choices, blank=True)
    urban_rural_code = models.CharField("城乡分类代码", max_length=3, blank=True,
                                        choices=list(codes.URBAN_RURAL_CLASSES.items()))
    city_zone = models.CharField("城区类别", max_length=8, choices=CityZone.choices, blank=True,
                                 help_text="区或街道(镇)属中心城区还是远城区;社区取所属街道的,街道未填取所属区的")
    grid_kind = models.CharField("网格类型", max_length=16, choices=GridKind.choices, blank=True)
    # Communities: the day the community was formed (its committee set up), which funding rules read
    # (P-FUND-1: 当年组建社区的由区财政负担全部经费); blank when not recorded.
    founded_on = models.DateField("组建日期", null=True, blank=True)
    boundary = models.JSONField("边界(GeoJSON)", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "parent"])]

    def __str__(self):
        return self.name

    def clean(self):
        validate_code(level=self.level, code=self.code, parent=self.parent)
        if self.level == Level.COMMUNITY and self.urban_rural_code and self.area_kind:
            # 1xx are urban classes, 2xx rural (统计用城乡划分代码).
            if (self.urban_rural_code[0] == "1") != (self.area_kind == AreaKind.URBAN):
                raise ValidationError(ERR_URBAN_RURAL_CLASS)

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent_id else "/") + self.code + "/"
        super().save(*args, **kwargs)

    @property
    def depth(self) -> int:
        return LEVEL_DEPTH[self.level]

    def is_within(self, other: "Place") -> bool:
        return self.path.startswith(other.path)


ERR_CODE_DISTRICT = "区/县代码应为6位数字(GB/T 2260)"
ERR_CODE_STREET = "街道/镇代码应为9位数字,且以所属区县代码开头"
ERR_CODE_COMMUNITY = "社区/村代码应为12位数字,且以所属街道/镇代码开头"
ERR_CODE_COMMUNITY_RANGE = "居委会代码末三位应在001–199,村委会应在200–399"
ERR_CODE_GRID = "网格编号应以所属社区代码开头"
ERR_PARENT_LEVEL = "上级区划层级不对"
ERR_URBAN_RURAL_CLASS = "城乡分类代码与城乡属性不符:城镇为1开头,乡村为2开头"


def validate_code(*, level: str, code: str, parent: Place | None) -> None:
    """GB/T 2260 county codes and the 12-digit statistical division codes."""
    expected_parent = {Level.STREET: Level.DISTRICT, Level.COMMUNITY: Level.STREET, Level.GRID: Level.COMMUNITY}
    if level in expected_parent and (parent is None or parent.level != expected_parent[level]):
        raise ValidationError(ERR_PARENT_LEVEL)
    if level == Level.DISTRICT and not (len(code) == 6 and code.isdigit()):
        raise ValidationError(ERR_CODE_DISTRICT)
    if level == Level.STREET and not (len(code) == 9 and code.isdigit() and code.startswith(parent.code)):
        raise ValidationError(ERR_CODE_STREET)
    if level == Level.COMMUNITY:
        if not (len(code) == 12 and code.isdigit() and code.startswith(parent.code)):
            raise ValidationError(ERR_CODE_COMMUNITY)
        if not 1 <= int(code[9:]) <= 399:
            raise ValidationError(ERR_CODE_COMMUNITY_RANGE)
    if level == Level.GRID and not (code.startswith(parent.code) and len(code) > len(parent.code)):
        raise ValidationError(ERR_CODE_GRID)


class StaffRole(models.TextChoices):
    LEADER = "leader", "网格长"
    FULL_TIME = "full_time", "专职网格员"
    PART_TIME = "part_time", "兼职网格员"


class GridStaff(models.Model):
    """P-STAFF-4: one grid leader, at least one full-time and some part-time workers."""

    grid = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="staff", limit_choices_to={"level": Level.GRID})
    user = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="grid_posts")
    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    role = models.CharField("岗位", max_length=12, choices=StaffRole.choices)
    active = models.BooleanField(default=True)
    since = models.DateField("任职日期", null=True, blank=True)

    class Meta:
        ordering = ["grid", "role", "name"]


class Facility(models.Model):
    """A community's service facilities, for the P-FAC-* assessments."""

    ROOMS = [
        ("service_hall", "服务大厅"), ("culture_sports", "文体活动室"), ("deliberation", "议事协商室"),
        ("library_archive", "图书阅览/档案室"), ("rights_mediation", "维权调解室"), ("police", "警务室"),
        ("meeting", "多功能会议室"), ("family_planning", "计生服务室"), ("clinic", "卫生室"),
        ("convenience_shop", "便民超市"), ("elderly_care", "居家养老服务站"),
    ]
    community = models.OneToOneField(Place, on_delete=models.PROTECT, related_name="facility")
    service_area_m2 = models.DecimalField("综合服务设施面积(㎡)", max_digits=9, decimal_places=1, default=0)
    station_area_m2 = models.DecimalField("服务站面积(㎡)", max_digits=9, decimal_places=1, default=0)
    activity_area_m2 = models.DecimalField("居民活动用房面积(㎡)", max_digits=9, decimal_places=1, default=0)
    rooms = models.JSONField("功能室", default=list, blank=True)
    publicity_boards = models.PositiveSmallIntegerField("宣传栏", default=0)
    disclosure_boards = models.PositiveSmallIntegerField("公开栏", default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def room_labels(self) -> list[str]:
        labels = dict(self.ROOMS)
        return [labels.get(r, r) for r in self.rooms]


class Estate(models.Model):
    community = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="estates")
    grid = models.ForeignKey(Place, null=True, blank=True, on_delete=models.PROTECT, related_name="grid_estates")
    name = models.CharField("小区名称", max_length=100)
    address = models.CharField("地址", max_length=200, blank=True)

    class Meta:
        ordering = ["community", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="estate_unique_name")]

    def __str__(self):
        return self.name


class Building(models.Model):
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="buildings")
    community = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="buildings")
    number = models.CharField("楼栋号", max_length=20)
    floors = models.PositiveSmallIntegerField("层数", default=6)

    class Meta:
        ordering = ["estate", "number"]
        constraints = [models.UniqueConstraint(fields=["estate", "number"], name="building_unique_number")]

    def __str__(self):
        return f"{self.estate.name}{self.number}幢"


class Dwelling(models.Model):
    """A home. The unit (单元) is kept as an attribute of the dwelling."""

    code = models.CharField("房屋编号", max_length=40, unique=True)
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="dwellings")
    community = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="dwellings")
    unit_no = models.CharField("单元", max_length=10, blank=True)
    room_no = models.CharField("室号", max_length=10)
    address = models.CharField("地址", max_length=200)

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["community", "address"])]

    def __str__(self):
        return self.address
